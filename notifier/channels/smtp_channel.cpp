#include "notifier/channels/smtp_channel.hpp"

#include <date/date.h>

namespace piket::notifier {

namespace {
// RFC 2047 encoded-word for a subject that is not plain ASCII.
std::string header_text(const std::string& text) {
  bool ascii = true;
  for (unsigned char c : text) ascii = ascii && c >= 0x20 && c < 0x7f;
  if (ascii) return text;
  static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(text[i]) << 16) |
                       (i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) << 8 : 0) |
                       (i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0);
    out += kB64[(n >> 18) & 63];
    out += kB64[(n >> 12) & 63];
    out += i + 1 < text.size() ? kB64[(n >> 6) & 63] : '=';
    out += i + 2 < text.size() ? kB64[n & 63] : '=';
  }
  return "=?UTF-8?B?" + out + "?=";
}

// Lines end in CRLF; a line that is only "." would end the SMTP DATA early (curl escapes a
// leading dot, but the text is ours and never has one anyway).
std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    if (c == '\n') out += "\r\n";
    else out += c;
  }
  return out;
}
}  // namespace

std::string build_mail(const SmtpConfig& config, const std::string& to, const OutgoingMessage& message,
                       TimePoint now) {
  const std::string date = date::format("%a, %d %b %Y %H:%M:%S +0000", date::floor<std::chrono::seconds>(now));
  const std::string domain = config.from.substr(config.from.find('@') + 1);
  std::string mail;
  mail += "Date: " + date + "\r\n";
  mail += "From: <" + config.from + ">\r\n";
  mail += "To: <" + to + ">\r\n";
  mail += "Subject: " + header_text(message.text.subject) + "\r\n";
  mail += "Message-ID: <" + message.notification_id + "@" + domain + ">\r\n";
  mail += "X-Piket-Notification-Id: " + message.notification_id + "\r\n";
  mail += "Auto-Submitted: auto-generated\r\n";
  mail += "MIME-Version: 1.0\r\n";
  mail += "Content-Type: text/plain; charset=utf-8\r\n";
  mail += "Content-Transfer-Encoding: 8bit\r\n";
  mail += "\r\n";
  mail += crlf(message.text.text) + "\r\n";
  return mail;
}

boost::asio::awaitable<Result<SendReceipt>> SmtpChannel::send(const std::string& address,
                                                             const OutgoingMessage& message) {
  if (!is_email_address(address)) co_return invalid("address", "is not an e-mail address");
  MailRequest mail;
  mail.url = config_.url;
  mail.require_tls = config_.starttls;
  mail.username = config_.username;
  mail.password = config_.password;
  mail.from = config_.from;
  mail.to = {address};
  mail.message = build_mail(config_, address, message, clock_.now());
  auto sent = co_await curl_.send_mail(std::move(mail), timeout_);
  if (!sent) co_return sent.error();
  co_return SendReceipt{sent->status};
}

}  // namespace piket::notifier
