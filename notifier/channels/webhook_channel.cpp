#include "notifier/channels/webhook_channel.hpp"

#include "common/crypto.hpp"

namespace piket::notifier {

Result<SendReceipt> http_status_outcome(int status, const std::string& who) {
  if (status >= 200 && status < 300) return SendReceipt{status};
  if (status == 429 || status >= 500 || status < 200)
    return make_error(ErrorCode::unavailable, "", who + " answered " + std::to_string(status));
  return make_error(ErrorCode::invalid_field, "address", who + " refused it: " + std::to_string(status));
}

std::string webhook_signature(const std::string& secret, std::int64_t unix_seconds, const std::string& body) {
  return "v1=" + hmac_sha256_hex(secret, std::to_string(unix_seconds) + "." + body);
}

boost::asio::awaitable<Result<SendReceipt>> WebhookChannel::send(const std::string& address,
                                                                const OutgoingMessage& message) {
  const std::int64_t timestamp = to_unix_ms(clock_.now()) / 1000;
  std::map<std::string, std::string> headers{
      {"Content-Type", "application/json"},
      {"X-Piket-Notification-Id", message.notification_id},
      {"X-Piket-Attempt", std::to_string(message.attempt)},
      {"X-Piket-Purpose", message.purpose},
      {"X-Piket-Timestamp", std::to_string(timestamp)},
      {"X-Piket-Signature", webhook_signature(secret_, timestamp, message.json_body)}};
  if (!message.alert_id.empty()) headers["X-Piket-Alert-Id"] = message.alert_id;
  auto response = co_await http_.post(address, std::move(headers), message.json_body, timeout_);
  if (!response) co_return response.error();
  // A webhook receiver that answers 4xx may be down for maintenance behind a proxy: retried like
  // a 5xx, as before contact methods existed.
  if (response->status >= 200 && response->status < 300) co_return SendReceipt{response->status};
  co_return make_error(ErrorCode::unavailable, "", "the webhook answered " + std::to_string(response->status));
}

}  // namespace piket::notifier
