#pragma once
// E-mail over SMTP (libcurl on the daemon's loop, STARTTLS where configured): a plain-text
// message with the alert's text only, a Message-ID from the notification id (so a mailbox
// drops a repeat) and no other header that could carry client data.
#include <chrono>

#include "common/clock.hpp"
#include "notifier/channels/channel.hpp"
#include "notifier/channels/channel_config.hpp"
#include "notifier/channels/http_client.hpp"

namespace piket::notifier {

// The RFC 5322 message: Date, From, To, Subject, Message-ID, MIME headers, then the text.
std::string build_mail(const SmtpConfig& config, const std::string& to, const OutgoingMessage& message,
                       TimePoint now);

class SmtpChannel : public Channel {
 public:
  SmtpChannel(HttpClient& curl, const Clock& clock, SmtpConfig config, std::chrono::milliseconds timeout)
      : curl_(curl), clock_(clock), config_(std::move(config)), timeout_(timeout) {}
  ChannelKind kind() const override { return ChannelKind::email; }
  std::string provider() const override { return "smtp"; }
  boost::asio::awaitable<Result<SendReceipt>> send(const std::string& address,
                                                  const OutgoingMessage& message) override;

 private:
  HttpClient& curl_;
  const Clock& clock_;
  SmtpConfig config_;
  std::chrono::milliseconds timeout_;
};

}  // namespace piket::notifier
