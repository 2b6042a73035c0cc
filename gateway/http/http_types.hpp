#pragma once
// Plain request/response structs shared by the HTTP server and the API handlers. Kept free of
// Beast so that handler code compiles quickly; only http_server.cpp sees Beast.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

namespace piket::gateway {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // path + query, as sent
  std::map<std::string, std::string> headers;  // keys lower-cased; repeated fields joined by ", "
  std::string body;
  std::string remote;  // peer "address:port"
};

// A body written piece by piece as it comes (server-sent events): the server sends the head,
// then each piece `next` gives, until it gives none (or the client is gone, or the server
// stops); then the connection closes. The length is not known: the close ends the body.
struct HttpStream {
  std::function<boost::asio::awaitable<std::optional<std::string>>()> next;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;  // extra headers; Content-Length is set by the server
  std::string body;
  std::shared_ptr<HttpStream> stream;  // set: `body` is ignored and the pieces are sent instead
};

// The value of a header, or "" when the request does not carry it.
inline std::string header(const HttpRequest& request, std::string_view lower_name) {
  auto it = request.headers.find(std::string(lower_name));
  return it == request.headers.end() ? std::string() : it->second;
}

}  // namespace piket::gateway
