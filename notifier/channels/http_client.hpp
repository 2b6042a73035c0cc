#pragma once
// Minimal HTTP/1.1 client for webhook-style channels: plain http:// only, one connection per
// request, one deadline for the whole exchange. Beast stays inside http_client.cpp.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace piket::notifier {

struct HttpClientResponse {
  int status = 0;
  std::string body;
};

struct HttpUrl {
  std::string host;  // name or IP; IPv6 without brackets
  uint16_t port = 80;
  std::string target = "/";  // path + query
};

// Strict parser for "http://host[:port][/path][?query]". Anything else (https, user info,
// fragments, spaces, bad ports) is an Error with code invalid_field and field "url".
Result<HttpUrl> parse_http_url(std::string_view url);

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io);

  // POSTs body to url. Headers are sent as given; Host, Content-Length, Connection: close and
  // User-Agent are set by the client, Content-Type defaults to application/json. The timeout
  // covers resolve, connect, write and read together. A bad url gives invalid_field ("url");
  // refused, reset, timed out or malformed answers give unavailable. Never throws.
  boost::asio::awaitable<Result<HttpClientResponse>> post(
      std::string url, std::map<std::string, std::string> headers, std::string body,
      std::chrono::milliseconds timeout);

 private:
  boost::asio::io_context& io_;
};

}  // namespace piket::notifier
