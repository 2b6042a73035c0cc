#include "notifier/channels/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <exception>
#include <memory>
#include <utility>

namespace piket::notifier {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxResponseBody = 8 * 1024 * 1024;

Error url_error(std::string message) {
  return make_error(ErrorCode::invalid_field, "url", std::move(message));
}

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  return true;
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

std::string host_header(const HttpUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  if (url.port != 80) host += ":" + std::to_string(url.port);
  return host;
}

// Names the peer without the path: webhook paths and queries often carry tokens.
std::string peer_name(const HttpUrl& url) { return host_header(url); }

Error unavailable(const HttpUrl& url, std::string_view what, const beast::error_code& ec,
                  std::chrono::milliseconds timeout) {
  std::string reason = ec == beast::error::timeout || ec == asio::error::operation_aborted
                           ? "timed out after " + std::to_string(timeout.count()) + " ms"
                           : ec.message();
  return make_error(
      ErrorCode::unavailable, "",
      "POST to " + peer_name(url) + " failed while " + std::string(what) + ": " + reason);
}

// Resolves within the deadline. The resolver cannot cancel a single operation, so a timer
// cancels all of them; both live in shared state because the timer may fire after we return.
asio::awaitable<std::pair<beast::error_code, tcp::resolver::results_type>> resolve_until(
    asio::io_context& io, const HttpUrl& url, std::chrono::steady_clock::time_point deadline) {
  struct Shared {
    explicit Shared(asio::io_context& io) : resolver(io), timer(io) {}
    tcp::resolver resolver;
    asio::steady_timer timer;
  };
  auto shared = std::make_shared<Shared>(io);
  shared->timer.expires_at(deadline);
  shared->timer.async_wait([shared](const beast::error_code& ec) {
    if (!ec) shared->resolver.cancel();
  });
  auto [ec, results] = co_await shared->resolver.async_resolve(
      url.host, std::to_string(url.port), tcp::resolver::numeric_service, kTuple);
  shared->timer.cancel();
  co_return std::pair{ec, std::move(results)};
}

}  // namespace

Result<HttpUrl> parse_http_url(std::string_view url) {
  if (starts_with_ci(url, "https://"))
    return url_error("https URLs are not supported; only plain http:// is");
  if (!starts_with_ci(url, "http://")) return url_error("must start with http://");
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return url_error("contains a space, control or non-ASCII byte");
    if (c == '#') return url_error("must not contain a fragment (#)");
  }
  std::string_view rest = url.substr(std::string_view("http://").size());
  const auto authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view path =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos)
    return url_error("must not contain user info (user@host)");

  HttpUrl out;
  std::string_view host;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return url_error("has an unclosed [ in the host");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return url_error("has junk after the IPv6 host");
      port_text = after.substr(1);
      if (port_text.empty()) return url_error("has an empty port");
    }
    beast::error_code ec;
    asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return url_error("has an invalid IPv6 address");
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return url_error("has an empty port");
    }
    for (char c : host)
      if (!is_host_char(c)) return url_error("has an invalid character in the host");
  }
  if (host.empty()) return url_error("has no host");
  out.host = std::string(host);

  if (!port_text.empty()) {
    if (port_text.size() > 5) return url_error("has a port out of range");
    unsigned port = 0;
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return url_error("has a non-numeric port");
      port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port == 0 || port > 65535) return url_error("has a port out of range");
    out.port = static_cast<uint16_t>(port);
  }

  if (path.empty())
    out.target = "/";
  else if (path.front() == '?')
    out.target = "/" + std::string(path);
  else
    out.target = std::string(path);
  return out;
}

HttpClient::HttpClient(asio::io_context& io) : io_(io) {}

namespace {

// One connection, one request, one response, all before the deadline.
asio::awaitable<Result<HttpClientResponse>> exchange(asio::io_context& io, HttpUrl target,
                                                     std::map<std::string, std::string> headers,
                                                     std::string body,
                                                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto [resolve_ec, endpoints] = co_await resolve_until(io, target, deadline);
  if (resolve_ec) co_return unavailable(target, "resolving the host", resolve_ec, timeout);

  beast::tcp_stream stream(io);
  stream.expires_at(deadline);
  auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kTuple);
  (void)endpoint;
  if (connect_ec) co_return unavailable(target, "connecting", connect_ec, timeout);

  http::request<http::string_body> request{http::verb::post, target.target, 11};
  for (const auto& [name, value] : headers) request.set(name, value);
  request.set(http::field::host, host_header(target));
  request.set(http::field::user_agent, "piket");
  if (request.find(http::field::content_type) == request.end())
    request.set(http::field::content_type, "application/json");
  request.keep_alive(false);
  request.body() = std::move(body);
  request.prepare_payload();

  auto [write_ec, written] = co_await http::async_write(stream, request, kTuple);
  (void)written;
  if (write_ec) co_return unavailable(target, "sending the request", write_ec, timeout);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kTuple);
  (void)read;
  if (read_ec) co_return unavailable(target, "reading the response", read_ec, timeout);

  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  auto response = parser.release();
  co_return HttpClientResponse{static_cast<int>(response.result_int()), std::move(response.body())};
}

}  // namespace

asio::awaitable<Result<HttpClientResponse>> HttpClient::post(
    std::string url, std::map<std::string, std::string> headers, std::string body,
    std::chrono::milliseconds timeout) {
  auto parsed = parse_http_url(url);
  if (!parsed) co_return parsed.error();
  for (const auto& [name, value] : headers)
    if (name.empty() || has_line_break(name) || has_line_break(value))
      co_return make_error(ErrorCode::invalid_field, "headers",
                           "header names must be non-empty and no header may contain a line "
                           "break");

  std::string failure;
  try {
    co_return co_await exchange(io_, parsed.value(), std::move(headers), std::move(body), timeout);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  co_return make_error(ErrorCode::internal, "",
                       "POST to " + peer_name(parsed.value()) + ": " + failure);
}

}  // namespace piket::notifier
