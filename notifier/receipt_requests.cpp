// Delivery receipts from the SMS and voice providers (through the gateway's public callback
// /api/v1/receipts/{sms|voice}): checked against the channel's shared secret, then recorded on
// the notification and in its alert's attempt log, so the message log shows "handed to the
// provider" and then "on the phone" (or not).
#include "common/keys.hpp"
#include "common/log.hpp"
#include "common/redis/functions.hpp"
#include "notifier/service.hpp"

namespace piket::notifier {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
std::string text_field(const json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string{};
}
}  // namespace

asio::awaitable<Result<json>> NotifierService::receipt_record(const Envelope& request) {
  const std::string channel_text = text_field(request.body, "id");
  const auto kind = channel_from_name(channel_text);
  if (!kind || (*kind != ChannelKind::sms && *kind != ChannelKind::voice))
    co_return make_error(ErrorCode::not_found, "channel", "receipts are taken for sms and voice");
  const ProviderConfig& provider = *kind == ChannelKind::sms ? channels_config_.sms : channels_config_.voice;
  ReceiptRequest in;
  in.raw = text_field(request.body, "raw");
  in.content_type = text_field(request.body, "content_type");
  in.token = text_field(request.body, "token");
  in.timestamp = text_field(request.body, "timestamp");
  in.signature = text_field(request.body, "signature");
  auto receipt = read_receipt(provider.receipt, in, clock_.now());
  if (!receipt) {
    logger("notifier")->warn("event=receipt_refused channel={} reason=\"{}\"", channel_text, receipt.error().message);
    co_return receipt.error();
  }
  std::vector<std::string> find{"HGET", keys::notification(receipt->notification_id), "alert"};
  auto alert = co_await redis_.command(std::move(find));
  if (!alert) co_return alert.error();
  if (alert->is_nil()) co_return make_error(ErrorCode::not_found, provider.receipt.id_field, "no such notification");
  const json entry{{"receipt", receipt->status},
                   {"provider_status", receipt->provider_status},
                   {"at", format_utc(clock_.now())},
                   {"channel", channel_text},
                   {"notification", receipt->notification_id}};
  auto command = redis::fcall("piket_notification_receipt",
                              {keys::notification(receipt->notification_id), keys::alert_attempts(alert->str)},
                              {receipt->status, receipt->provider_status, std::to_string(to_unix_ms(clock_.now())),
                               entry.dump()});
  auto stored = co_await redis_.command(std::move(command));
  if (!stored) co_return stored.error();
  logger("notifier")->info("event=receipt alert={} channel={} status={}", alert->str, channel_text, receipt->status);
  co_return json{{"notification", receipt->notification_id}, {"receipt", receipt->status}};
}

}  // namespace piket::notifier
