#pragma once
// The HTTP/1.1 client pieces the load generators share (intake_bench, dispatch_bench): URL
// parsing, the loopback-only check, reading one response. Plain Asio, no Beast: the generator
// must stay cheap next to the daemons it measures.
#include <algorithm>
#include <boost/asio.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace piket::bench {

namespace asio = boost::asio;
using asio::ip::tcp;

inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
inline constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
inline constexpr std::size_t kMaxBodyBytes = 4 * 1024 * 1024;

struct Target {
  std::string host;  // as written, without brackets
  std::string port = "80";
  std::string host_header;  // host[:port] as written in the URL
  std::string base_path;    // without a trailing slash
};

inline std::optional<Target> parse_url(const std::string& url, std::string& why) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    why = "only http:// URLs are supported";
    return std::nullopt;
  }
  std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Target t;
  t.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!t.base_path.empty() && t.base_path.back() == '/') t.base_path.pop_back();
  t.host_header = authority;
  if (authority.find('@') != std::string::npos) {
    why = "user info in the URL is not supported";
    return std::nullopt;
  }
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      why = "unterminated [ in the host";
      return std::nullopt;
    }
    t.host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        why = "junk after ] in the host";
        return std::nullopt;
      }
      t.port = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    t.host = authority.substr(0, colon);
    if (colon != std::string::npos) t.port = authority.substr(colon + 1);
  }
  unsigned port_number = 0;
  auto [ptr, ec] = std::from_chars(t.port.data(), t.port.data() + t.port.size(), port_number);
  if (t.host.empty() || t.port.empty() || ec != std::errc{} ||
      ptr != t.port.data() + t.port.size() || port_number == 0 || port_number > 65535) {
    why = "the URL needs a host and a port between 1 and 65535";
    return std::nullopt;
  }
  return t;
}

inline bool is_loopback(const asio::ip::address& address) {
  return address.is_loopback() ||
         (address.is_v6() && address.to_v6().is_v4_mapped() &&
          asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback());
}

// The target's endpoints, all of them loopback; otherwise empty with `why` set. A benchmark
// is load on purpose: it must never be pointed at someone else's machine.
inline std::vector<tcp::endpoint> resolve_loopback(asio::io_context& io, const Target& target,
                                                   std::string& why) {
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(target.host, target.port, ec);
  if (ec || results.empty()) {
    why = "cannot resolve " + target.host + ": " + ec.message();
    return {};
  }
  std::vector<tcp::endpoint> out;
  for (const auto& entry : results) {
    const auto address = entry.endpoint().address();
    if (!is_loopback(address)) {
      why = "refusing " + target.host + " (" + address.to_string() +
            "): only loopback targets are allowed";
      return {};
    }
    out.push_back(entry.endpoint());
  }
  return out;
}

inline std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

inline std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

struct ResponseHead {
  int status = 0;
  std::optional<std::size_t> content_length;
  bool chunked = false;
  bool close = false;
};

inline std::optional<ResponseHead> parse_head(std::string_view head) {
  ResponseHead r;
  std::size_t pos = head.find("\r\n");
  std::string_view status_line = head.substr(0, pos);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) return std::nullopt;
  const bool http10 = status_line.substr(0, 8) == "HTTP/1.0";
  auto [ptr, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, r.status);
  if (ec != std::errc{} || ptr != status_line.data() + 12) return std::nullopt;
  bool keep_alive_seen = false;
  while (pos != std::string_view::npos && pos + 2 < head.size()) {
    const std::size_t start = pos + 2;
    pos = head.find("\r\n", start);
    std::string_view line =
        head.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start);
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = lower(std::string(line.substr(0, colon)));
    const std::string value = lower(trim(line.substr(colon + 1)));
    if (name == "content-length") {
      std::size_t length = 0;
      auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (e != std::errc{} || p != value.data() + value.size()) return std::nullopt;
      r.content_length = length;
    } else if (name == "transfer-encoding") {
      r.chunked = value.find("chunked") != std::string::npos;
    } else if (name == "connection") {
      if (value.find("close") != std::string::npos) r.close = true;
      if (value.find("keep-alive") != std::string::npos) keep_alive_seen = true;
    }
  }
  if (http10 && !keep_alive_seen) r.close = true;
  return r;
}

// Reads one HTTP/1.1 response from the socket; `buf` keeps what was read past its end.
// Returns the status, or 0 with `ec` set. Throws nothing.
inline asio::awaitable<int> read_response(tcp::socket& socket, std::string& buf, bool& close,
                                          boost::system::error_code& ec, std::string& body_out) {
  auto dyn = asio::dynamic_buffer(buf, kMaxHeaderBytes + kMaxBodyBytes);
  auto [e1, head_end] = co_await asio::async_read_until(socket, dyn, "\r\n\r\n", kTuple);
  if (e1) {
    ec = e1;
    co_return 0;
  }
  auto head = parse_head(std::string_view(buf).substr(0, head_end));
  if (!head) {
    ec = asio::error::invalid_argument;
    co_return 0;
  }
  buf.erase(0, head_end);
  close = head->close;
  body_out.clear();
  if (head->chunked) {
    for (;;) {
      auto [e2, line_end] = co_await asio::async_read_until(socket, dyn, "\r\n", kTuple);
      if (e2) {
        ec = e2;
        co_return 0;
      }
      std::size_t size = 0;
      const std::string_view line(buf.data(), line_end - 2);
      const auto semi = line.find(';');
      const std::string_view digits = line.substr(0, semi);
      auto [p, e] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
      if (e != std::errc{} || size > kMaxBodyBytes || body_out.size() + size > kMaxBodyBytes) {
        ec = asio::error::invalid_argument;
        co_return 0;
      }
      buf.erase(0, line_end);
      if (size == 0) {
        for (;;) {  // trailers, up to the empty line
          auto [e3, trailer_end] = co_await asio::async_read_until(socket, dyn, "\r\n", kTuple);
          if (e3) {
            ec = e3;
            co_return 0;
          }
          buf.erase(0, trailer_end);
          if (trailer_end == 2) break;
        }
        break;
      }
      if (buf.size() < size + 2) {
        auto [e4, got] = co_await asio::async_read(
            socket, dyn, asio::transfer_at_least(size + 2 - buf.size()), kTuple);
        (void)got;
        if (e4) {
          ec = e4;
          co_return 0;
        }
      }
      body_out.append(buf, 0, size);
      buf.erase(0, size + 2);
    }
  } else if (head->content_length) {
    const std::size_t length = *head->content_length;
    if (length > kMaxBodyBytes) {
      ec = asio::error::message_size;
      co_return 0;
    }
    if (buf.size() < length) {
      auto [e5, got] = co_await asio::async_read(
          socket, dyn, asio::transfer_at_least(length - buf.size()), kTuple);
      (void)got;
      if (e5) {
        ec = e5;
        co_return 0;
      }
    }
    body_out.assign(buf, 0, length);
    buf.erase(0, length);
  } else if (head->status >= 200 && head->status != 204 && head->status != 304) {
    // No length: the body runs to the end of the connection.
    auto [e6, got] = co_await asio::async_read(socket, dyn, asio::transfer_all(), kTuple);
    (void)got;
    if (e6 && e6 != asio::error::eof) {
      ec = e6;
      co_return 0;
    }
    body_out = std::move(buf);
    buf.clear();
    close = true;
  }
  co_return head->status;
}

// Nearest rank: the smallest value with at least p of the samples at or below it.
inline double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace piket::bench
