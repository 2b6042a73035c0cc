#pragma once
// Delivery receipts from an SMS or voice provider, posted to the gateway's callback
// (/api/v1/receipts/{sms|voice}) and checked here: the provider proves it knows the shared
// secret (a token in the callback URL, or an HMAC over a timestamp and the body like our own
// webhooks), and names our notification id (sent to it as {{notification_id}}) and a status.
// Which fields hold them, and which status values mean delivered or failed, is config, so a
// common provider fits without code. Pure.
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"

namespace piket::notifier {

// The notifier's request type for a receipt (the gateway's public callback forwards it).
inline constexpr std::string_view kReceiptRecord = "receipt.record";

struct ReceiptConfig {
  std::string secret;                 // "" = receipts refused
  std::string id_field = "reference";  // the field with our notification id
  std::string status_field = "status";
  std::vector<std::string> delivered{"delivered"};
  std::vector<std::string> failed{"failed", "undelivered", "rejected", "expired"};
};

struct ReceiptRequest {
  std::string raw;           // the body as received
  std::string content_type;  // JSON or form
  std::string token;         // ?token= from the callback URL
  std::string timestamp;     // X-Piket-Timestamp
  std::string signature;     // X-Piket-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw>">
};

struct Receipt {
  std::string notification_id;
  std::string status;           // delivered, failed, or other (an interim state: kept, not final)
  std::string provider_status;  // as the provider said it (short, printable)
};

// unauthenticated when neither the token nor the signature holds (or the timestamp is more than
// 300 s from `now`); invalid_field naming the field when the body does not have what it must.
Result<Receipt> read_receipt(const ReceiptConfig& config, const ReceiptRequest& request, TimePoint now);

}  // namespace piket::notifier
