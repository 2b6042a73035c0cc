#include "notifier/channels/provider_channel.hpp"

namespace piket::notifier {

boost::asio::awaitable<Result<SendReceipt>> ProviderChannel::send(const std::string& address,
                                                                 const OutgoingMessage& message) {
  if (!is_e164(address)) co_return invalid("address", "is not an E.164 phone number");
  const std::string body = render_provider_body(
      config_.body_template, config_.content_type,
      {{"to", address}, {"from", config_.from}, {"text", message.text.text},
       {"notification_id", message.notification_id}, {"purpose", message.purpose}});
  std::map<std::string, std::string> headers{{"Content-Type", config_.content_type},
                                             {"X-Piket-Notification-Id", message.notification_id}};
  if (!config_.auth_value.empty()) headers[config_.auth_header] = config_.auth_value;
  auto response = co_await http_.post(config_.url, std::move(headers), body, timeout_);
  if (!response) co_return response.error();
  co_return http_status_outcome(response->status, provider());
}

}  // namespace piket::notifier
