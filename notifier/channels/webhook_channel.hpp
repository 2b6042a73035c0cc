#pragma once
// Webhooks: the alert's public fields as JSON, POSTed with an HMAC-SHA256 signature over a
// timestamp and the body (X-Piket-Signature "v1=..."), and the notification id so a receiver
// can drop a repeat.
#include <chrono>

#include "common/clock.hpp"
#include "notifier/channels/channel.hpp"
#include "notifier/channels/http_client.hpp"

namespace piket::notifier {

// X-Piket-Signature: "v1=" + hex HMAC-SHA256 over "<timestamp>.<body>" keyed with the secret.
std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds,
                              const std::string& body);

class WebhookChannel : public Channel {
 public:
  WebhookChannel(HttpClient& http, const Clock& clock, std::string secret, std::chrono::milliseconds timeout)
      : http_(http), clock_(clock), secret_(std::move(secret)), timeout_(timeout) {}
  ChannelKind kind() const override { return ChannelKind::webhook; }
  std::string provider() const override { return "webhook"; }
  boost::asio::awaitable<Result<SendReceipt>> send(const std::string& address,
                                                  const OutgoingMessage& message) override;

 private:
  HttpClient& http_;
  const Clock& clock_;
  std::string secret_;
  std::chrono::milliseconds timeout_;
};

}  // namespace piket::notifier
