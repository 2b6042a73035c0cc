// Delivery receipts from the SMS and voice providers (through the gateway's public callback
// /api/v1/receipts/{sms|voice}): checked against the channel's shared secret, then recorded on
// the notification and in its alert's attempt log, so the message log shows "handed to the
// provider" and then "on the phone" (or not).
#include "common/keys.hpp"
#include "common/log.hpp"
#include "common/redis/functions.hpp"
#include "common/request_fields.hpp"
#include "notifier/service.hpp"

namespace piket::notifier {
namespace asio = boost::asio;
using nlohmann::json;

asio::awaitable<Result<json>> NotifierService::receipt_record(const Envelope& request) {
  std::string channel_text;
  if (auto e = read_token(request.body, "id", true, 16, channel_text)) co_return *e;
  const auto kind = channel_from_name(channel_text);
  if (!kind || (*kind != ChannelKind::sms && *kind != ChannelKind::voice))
    co_return make_error(ErrorCode::not_found, "channel", "receipts are taken for sms and voice");
  const ProviderConfig& provider = *kind == ChannelKind::sms ? channels_config_.sms : channels_config_.voice;
  ReceiptRequest in;
  // The gateway passes the provider's callback on as it came; each part is checked for type.
  constexpr std::size_t kMaxRaw = 1024 * 1024, kMaxPart = 1024;
  if (auto e = read_text(request.body, "raw", false, kMaxRaw, in.raw)) co_return *e;
  for (auto [key, out] : {std::pair{"content_type", &in.content_type}, std::pair{"token", &in.token},
                          std::pair{"timestamp", &in.timestamp}, std::pair{"signature", &in.signature}})
    if (auto e = read_text(request.body, key, false, kMaxPart, *out)) co_return *e;
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
