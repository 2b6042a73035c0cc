#pragma once
// HTTP/1.1 (and SMTP) client for the channels: https (TLS verified) and http, one connection per
// request, one deadline for the whole exchange. libcurl stays inside http_client.cpp.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace piket::notifier {

struct HttpClientResponse {
  int status = 0;
  std::string body;
};

struct HttpUrl {
  bool tls = false;  // https
  std::string host;  // name or IP; IPv6 without brackets
  uint16_t port = 80;
  std::string target = "/";  // path + query
};

// Strict parser for "http[s]://host[:port][/path][?query]". Anything else (another scheme,
// user info, fragments, spaces, bad ports) is an Error with code invalid_field and field "url".
Result<HttpUrl> parse_http_url(std::string_view url);
// localhost, 127.0.0.0/8 or ::1: where plain http stays on this machine.
bool is_loopback_host(const std::string& host);

struct HttpClientOptions {
  std::string ca_file;            // PEM bundle the server's certificate must chain to; "" = system
  bool allow_plain_http = false;  // http:// to hosts other than loopback
};

// One message for SMTP submission: the envelope (from, to) and the whole RFC 5322 message.
struct MailRequest {
  std::string url;           // smtp://host:port (STARTTLS when require_tls) or smtps://host:port
  bool require_tls = false;  // STARTTLS, and no mail without it
  std::string username, password;  // empty: no AUTH
  std::string from;
  std::vector<std::string> to;
  std::string message;  // headers, blank line, body; CRLF line ends
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // POSTs body to url. Headers are sent as given; Content-Length, Connection: close and
  // User-Agent are set by the client, Content-Type defaults to application/json. The timeout
  // covers resolve, connect, TLS handshake, write and read together. A bad url (or plain http
  // to a host that is not loopback, unless allowed) gives invalid_field ("url"); refused,
  // reset, timed out, unverifiable (TLS) or malformed answers give unavailable. Never throws.
  boost::asio::awaitable<Result<HttpClientResponse>> post(
      std::string url, std::map<std::string, std::string> headers, std::string body,
      std::chrono::milliseconds timeout);
  // Submits a mail over SMTP on the same loop (curl's SMTP, one connection per mail). The
  // response's status is the server's last reply code (250). Never throws.
  boost::asio::awaitable<Result<HttpClientResponse>> send_mail(MailRequest mail,
                                                               std::chrono::milliseconds timeout);
  std::size_t in_flight() const;

 private:
  class Multi;
  boost::asio::io_context& io_;
  HttpClientOptions options_;
  std::unique_ptr<Multi> multi_;
};

}  // namespace piket::notifier
