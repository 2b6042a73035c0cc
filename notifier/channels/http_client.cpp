#include "notifier/channels/http_client.hpp"

// Why curl's multi interface on our own io_context, rather than a pool of threads running
// curl_easy_perform: a receiver that hangs would hold a thread for its whole time-out, so a few
// hung receivers would starve a small pool (the very fault this client must survive), and a
// large pool is memory and context switches for nothing. With CURLMOPT_SOCKETFUNCTION and
// CURLMOPT_TIMERFUNCTION curl tells us which sockets to watch and when to wake it; Asio watches
// them (a posix::stream_descriptor per socket, released before curl closes the fd) and the
// whole exchange, TLS included, runs on the daemon's one loop without blocking it. Name look-ups
// use curl's threaded resolver, so they do not block the loop either.
#include <curl/curl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace piket::notifier {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kMaxResponseBody = 1024 * 1024;

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

// Names the peer without the path: webhook paths and queries often carry tokens.
std::string peer_name(const HttpUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return (url.tls ? "https://" : "http://") + (v6 ? "[" + url.host + "]" : url.host) + ":" +
         std::to_string(url.port);
}

}  // namespace

bool is_loopback_host(const std::string& host) {
  std::string lower;
  for (char c : host) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "localhost" || lower.ends_with(".localhost")) return true;
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

Result<HttpUrl> parse_http_url(std::string_view url) {
  const bool tls = starts_with_ci(url, "https://");
  if (!tls && !starts_with_ci(url, "http://")) return url_error("must start with https:// or http://");
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return url_error("contains a space, control or non-ASCII byte");
    if (c == '#') return url_error("must not contain a fragment (#)");
  }
  std::string_view rest = url.substr(tls ? 8 : 7);
  const auto authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view path =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos)
    return url_error("must not contain user info (user@host)");

  HttpUrl out;
  out.tls = tls;
  out.port = tls ? 443 : 80;
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
    boost::system::error_code ec;
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


// One curl multi handle driven by the io_context. Single-threaded: every call comes from the
// loop, and curl calls back only from inside the curl calls we make here.
class HttpClient::Multi {
 public:
  struct Pending {
    explicit Pending(asio::io_context& io) : done(io) {}
    asio::steady_timer done;  // cancelled when `result` is set
    std::optional<Result<HttpClientResponse>> result;
  };

  explicit Multi(asio::io_context& io) : io_(io), timer_(io), multi_(curl_multi_init()) {
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Multi::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Multi::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  }

  ~Multi() {
    *alive_ = false;
    for (auto& [easy, transfer] : transfers_) {
      curl_multi_remove_handle(multi_, easy);
      free_lists(*transfer);
      curl_easy_cleanup(easy);
    }
    transfers_.clear();
    curl_multi_cleanup(multi_);  // closes what is left; on_socket releases our descriptors
    for (auto& [fd, socket] : sockets_) socket->descriptor.release();
    sockets_.clear();
  }

  std::size_t size() const { return transfers_.size(); }

  // Starts one POST; `pending` is completed on the loop when it ends.
  void start(const HttpUrl& url, const std::string& full_url,
             const std::map<std::string, std::string>& headers, std::string body,
             std::chrono::milliseconds timeout, const HttpClientOptions& options,
             std::shared_ptr<Pending> pending) {
    auto transfer = std::make_unique<Transfer>();
    transfer->peer = peer_name(url);
    transfer->timeout = timeout;
    transfer->body = std::move(body);
    transfer->pending = std::move(pending);
    CURL* easy = curl_easy_init();
    if (!easy) {
      complete(*transfer, make_error(ErrorCode::internal, "", "curl_easy_init failed"));
      return;
    }
    bool has_content_type = false;
    for (const auto& [name, value] : headers) {
      if (starts_with_ci(name, "content-type") && name.size() == 12) has_content_type = true;
      transfer->headers = curl_slist_append(transfer->headers, (name + ": " + value).c_str());
    }
    if (!has_content_type)
      transfer->headers = curl_slist_append(transfer->headers, "Content-Type: application/json");
    // No "Expect: 100-continue" (curl waits a second for it on larger bodies).
    transfer->headers = curl_slist_append(transfer->headers, "Expect:");
    transfer->headers = curl_slist_append(transfer->headers, "Connection: close");
    curl_easy_setopt(easy, CURLOPT_URL, full_url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_PROXY, "");  // straight to the receiver, whatever the env says
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, transfer->body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(transfer->body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "piket");
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) {  // that file alone: not the system store besides
      curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
      curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
    }
    add(easy, std::move(transfer));
  }

  // Starts one SMTP submission; `pending` is completed on the loop when it ends.
  void start_mail(const MailRequest& mail, std::chrono::milliseconds timeout,
                  const HttpClientOptions& options, std::shared_ptr<Pending> pending) {
    auto transfer = std::make_unique<Transfer>();
    transfer->peer = mail.url.substr(0, mail.url.find('/', mail.url.find("://") + 3));
    transfer->verb = "mail through";
    transfer->timeout = timeout;
    transfer->body = mail.message;
    transfer->pending = std::move(pending);
    CURL* easy = curl_easy_init();
    if (!easy) {
      complete(*transfer, make_error(ErrorCode::internal, "", "curl_easy_init failed"));
      return;
    }
    for (const auto& to : mail.to)
      transfer->recipients = curl_slist_append(transfer->recipients, ("<" + to + ">").c_str());
    curl_easy_setopt(easy, CURLOPT_URL, mail.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(easy, CURLOPT_MAIL_FROM, ("<" + mail.from + ">").c_str());
    curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, transfer->recipients);
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Multi::on_upload);
    curl_easy_setopt(easy, CURLOPT_READDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(transfer->body.size()));
    // STARTTLS when asked (and refused to go on without it); smtps:// is TLS from the start.
    curl_easy_setopt(easy, CURLOPT_USE_SSL, mail.require_tls ? static_cast<long>(CURLUSESSL_ALL)
                                                              : static_cast<long>(CURLUSESSL_NONE));
    if (!mail.username.empty()) {
      curl_easy_setopt(easy, CURLOPT_USERNAME, mail.username.c_str());
      curl_easy_setopt(easy, CURLOPT_PASSWORD, mail.password.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
      curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
    }
    add(easy, std::move(transfer));
  }

 private:
  struct Transfer {
    std::string peer;  // for messages: scheme, host and port, never the path
    std::string verb = "POST to";
    std::chrono::milliseconds timeout{0};
    std::string body;
    std::size_t sent = 0;  // of body, when it is uploaded (SMTP)
    std::string response;
    curl_slist* headers = nullptr;
    curl_slist* recipients = nullptr;
    char error[CURL_ERROR_SIZE] = {};
    std::shared_ptr<Pending> pending;
  };
  struct Socket {
    Socket(asio::io_context& io, int fd) : descriptor(io, fd) {}
    asio::posix::stream_descriptor descriptor;
    int want = 0;  // CURL_POLL_IN / OUT bits
    bool reading = false, writing = false;
  };

  void add(CURL* easy, std::unique_ptr<Transfer> transfer) {
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Multi::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
    transfers_[easy] = std::move(transfer);
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
      auto failed = std::move(transfers_[easy]);
      transfers_.erase(easy);
      free_lists(*failed);
      curl_easy_cleanup(easy);
      complete(*failed, make_error(ErrorCode::internal, "", "curl_multi_add_handle failed"));
    }
  }

  static void free_lists(Transfer& t) {
    curl_slist_free_all(t.headers);
    curl_slist_free_all(t.recipients);
    t.headers = nullptr;
    t.recipients = nullptr;
  }

  static size_t on_upload(char* buffer, size_t size, size_t n, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t room = size * n;
    const std::size_t left = transfer->body.size() - transfer->sent;
    const std::size_t take = left < room ? left : room;
    std::memcpy(buffer, transfer->body.data() + transfer->sent, take);
    transfer->sent += take;
    return take;
  }

  static size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    if (transfer->response.size() + size * n > kMaxResponseBody) return 0;  // aborts: too large
    transfer->response.append(data, size * n);
    return size * n;
  }

  static int on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
    static_cast<Multi*>(self)->watch(fd, what);
    return 0;
  }

  static int on_timer(CURLM*, long ms, void* self) {
    static_cast<Multi*>(self)->wake_in(ms);
    return 0;
  }

  void watch(curl_socket_t fd, int what) {
    auto found = sockets_.find(fd);
    if (what == CURL_POLL_REMOVE) {
      // Before curl closes the fd: take it out of the reactor (pending waits end aborted).
      if (found != sockets_.end()) {
        found->second->descriptor.release();
        sockets_.erase(found);
      }
      return;
    }
    if (found == sockets_.end())
      found = sockets_.emplace(fd, std::make_shared<Socket>(io_, fd)).first;
    found->second->want = what;
    arm(fd, found->second);
  }

  void arm(curl_socket_t fd, const std::shared_ptr<Socket>& socket) {
    if ((socket->want & CURL_POLL_IN) && !socket->reading) {
      socket->reading = true;
      socket->descriptor.async_wait(
          asio::posix::stream_descriptor::wait_read,
          [this, fd, weak = std::weak_ptr<Socket>(socket), alive = alive_](const boost::system::error_code& ec) {
            auto s = weak.lock();
            if (!*alive || !s) return;
            s->reading = false;
            if (ec == asio::error::operation_aborted) return;
            act(fd, ec ? CURL_CSELECT_ERR : CURL_CSELECT_IN);
            rearm(fd, s);
          });
    }
    if ((socket->want & CURL_POLL_OUT) && !socket->writing) {
      socket->writing = true;
      socket->descriptor.async_wait(
          asio::posix::stream_descriptor::wait_write,
          [this, fd, weak = std::weak_ptr<Socket>(socket), alive = alive_](const boost::system::error_code& ec) {
            auto s = weak.lock();
            if (!*alive || !s) return;
            s->writing = false;
            if (ec == asio::error::operation_aborted) return;
            act(fd, ec ? CURL_CSELECT_ERR : CURL_CSELECT_OUT);
            rearm(fd, s);
          });
    }
  }

  // After curl acted, the socket may be gone or replaced (same fd, new connection).
  void rearm(curl_socket_t fd, const std::shared_ptr<Socket>& socket) {
    auto found = sockets_.find(fd);
    if (found != sockets_.end() && found->second == socket) arm(fd, socket);
  }

  void wake_in(long ms) {
    ++timer_generation_;
    if (ms < 0) {
      timer_.cancel();
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(ms));
    timer_.async_wait([this, generation = timer_generation_, alive = alive_](const boost::system::error_code& ec) {
      if (ec || !*alive || generation != timer_generation_) return;
      act(CURL_SOCKET_TIMEOUT, 0);
    });
  }

  void act(curl_socket_t fd, int events) {
    int running = 0;
    curl_multi_socket_action(multi_, fd, events, &running);
    finish_done();
  }

  void finish_done() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode code = message->data.result;
      auto found = transfers_.find(easy);
      if (found == transfers_.end()) continue;
      std::unique_ptr<Transfer> transfer = std::move(found->second);
      transfers_.erase(found);
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      curl_multi_remove_handle(multi_, easy);
      curl_easy_cleanup(easy);
      free_lists(*transfer);
      if (code == CURLE_OK)
        complete(*transfer, HttpClientResponse{static_cast<int>(status), std::move(transfer->response)});
      else
        complete(*transfer, failure(*transfer, code));
    }
  }

  static Error failure(const Transfer& t, CURLcode code) {
    std::string what, reason = t.error[0] ? std::string(t.error) : curl_easy_strerror(code);
    switch (code) {
      case CURLE_OPERATION_TIMEDOUT:
        what = "waiting";
        reason = "timed out after " + std::to_string(t.timeout.count()) + " ms";
        break;
      case CURLE_COULDNT_RESOLVE_HOST: what = "resolving the host"; break;
      case CURLE_COULDNT_CONNECT: what = "connecting"; break;
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        what = "verifying TLS (the server's certificate)";
        break;
      case CURLE_SEND_ERROR: what = "sending the request"; break;
      case CURLE_USE_SSL_FAILED: what = "starting TLS (STARTTLS refused)"; break;
      case CURLE_LOGIN_DENIED: what = "signing in"; break;
      case CURLE_SEND_FAIL_REWIND:
      case CURLE_UPLOAD_FAILED: what = "sending the message (the server refused it)"; break;
      case CURLE_WRITE_ERROR:
        what = "reading the response";
        reason = "the response is larger than " + std::to_string(kMaxResponseBody) + " bytes";
        break;
      default: what = "reading the response"; break;
    }
    return make_error(ErrorCode::unavailable, "",
                      t.verb + " " + t.peer + " failed while " + what + ": " + reason);
  }

  // Completes on a later turn of the loop: never from inside a curl call.
  static void complete(Transfer& transfer, Result<HttpClientResponse> result) {
    transfer.pending->result = std::move(result);
    transfer.pending->done.cancel();
  }

  asio::io_context& io_;
  asio::steady_timer timer_;
  std::uint64_t timer_generation_ = 0;
  CURLM* multi_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets_;
};

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options)
    : io_(io), options_(std::move(options)) {
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  multi_ = std::make_unique<Multi>(io_);
}

HttpClient::~HttpClient() = default;

std::size_t HttpClient::in_flight() const { return multi_->size(); }

asio::awaitable<Result<HttpClientResponse>> HttpClient::post(
    std::string url, std::map<std::string, std::string> headers, std::string body,
    std::chrono::milliseconds timeout) {
  auto parsed = parse_http_url(url);
  if (!parsed) co_return parsed.error();
  if (!parsed->tls && !options_.allow_plain_http && !is_loopback_host(parsed->host))
    co_return url_error("plain http:// is sent only to loopback (localhost, 127.0.0.1, ::1); use "
                        "https:// or set notifier.allow_plain_http = true");
  for (const auto& [name, value] : headers)
    if (name.empty() || has_line_break(name) || has_line_break(value) ||
        name.find(':') != std::string::npos)
      co_return make_error(ErrorCode::invalid_field, "headers",
                           "header names must be non-empty and no header may contain a line "
                           "break");
  auto pending = std::make_shared<Multi::Pending>(io_);
  pending->done.expires_at(asio::steady_timer::time_point::max());
  multi_->start(parsed.value(), url, headers, std::move(body), timeout, options_, pending);
  if (!pending->result) {
    boost::system::error_code ec;
    co_await pending->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!pending->result)
    co_return make_error(ErrorCode::unavailable, "",
                         "POST to " + peer_name(parsed.value()) + " was cut off");
  co_return std::move(*pending->result);
}

asio::awaitable<Result<HttpClientResponse>> HttpClient::send_mail(MailRequest mail,
                                                                std::chrono::milliseconds timeout) {
  const bool smtps = starts_with_ci(mail.url, "smtps://");
  if (!smtps && !starts_with_ci(mail.url, "smtp://"))
    co_return make_error(ErrorCode::invalid_field, "smtp_url", "must start with smtp:// or smtps://");
  for (const std::string* text : {&mail.url, &mail.from})
    if (has_line_break(*text)) co_return make_error(ErrorCode::invalid_field, "mail", "has a line break");
  for (const auto& to : mail.to)
    if (has_line_break(to) || to.find_first_of("<>") != std::string::npos)
      co_return make_error(ErrorCode::invalid_field, "address", "is not a plain e-mail address");
  auto pending = std::make_shared<Multi::Pending>(io_);
  pending->done.expires_at(asio::steady_timer::time_point::max());
  multi_->start_mail(mail, timeout, options_, pending);
  if (!pending->result) {
    boost::system::error_code ec;
    co_await pending->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!pending->result) co_return make_error(ErrorCode::unavailable, "", "mail submission was cut off");
  co_return std::move(*pending->result);
}

}  // namespace piket::notifier
