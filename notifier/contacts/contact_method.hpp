#pragma once
// A worker's contact methods: where an alert can reach them (a webhook, an e-mail address, a
// phone for SMS, a phone for voice calls). Owned by the notifier (docs/architecture.md): it is
// the only daemon that sends to them, verifies them and keeps their receipts. Pure: types,
// checks and JSON; Redis is in contact_store.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/domain/workers.hpp"
#include "common/result.hpp"

namespace piket::notifier {

enum class ChannelKind { webhook, email, sms, voice };
std::string_view channel_name(ChannelKind kind);
std::optional<ChannelKind> channel_from_name(std::string_view name);
const std::vector<ChannelKind>& all_channels();

struct ContactMethod {
  std::string id;  // "sms-1a2b3c4d": the channel and a hash of the address, so adding twice is one
  ChannelKind channel = ChannelKind::webhook;
  std::string address;  // URL, e-mail address or E.164 number
  bool verified = false;
  std::string created_at;   // UTC, ISO 8601
  std::string verified_at;  // "" until verified
  // The worker's view of the last code and test sent to it: {status, at, error?}; null if none.
  nlohmann::json last_code;
  nlohmann::json last_test;
  bool legacy = false;  // the worker's webhook_url, shown as a method (not stored here)
};

// +, then 8 to 15 digits, the first not 0 (ITU-T E.164).
bool is_e164(std::string_view number);
// A plain addr-spec: local@domain, printable ASCII without spaces, quotes, angle brackets or
// line breaks (it goes into SMTP commands and headers), at most 254 characters.
bool is_email_address(std::string_view address);
// Why `address` cannot be used for `channel`, as an error naming the field "address"; ok when
// it can. Webhooks: https, or http to loopback unless `allow_plain_http`.
Status check_address(ChannelKind channel, const std::string& address, bool allow_plain_http);

// The id a method gets: stable for one channel and address.
std::string contact_method_id(ChannelKind channel, const std::string& address);

// The API's body for a new method: {channel, address}; unknown fields are refused.
struct NewContactMethod {
  ChannelKind channel = ChannelKind::webhook;
  std::string address;
};
Result<NewContactMethod> new_contact_method_from_json(const nlohmann::json& body,
                                                      bool allow_plain_http);

nlohmann::json to_json(const ContactMethod& method);
// The stored form (written by to_json); a record that does not read is an error, not a crash.
Result<ContactMethod> contact_method_from_json(const nlohmann::json& j);

// The worker's webhook_url from the worker data, as a verified method: it was entered by a
// manager or an admin before contact methods existed, and alerts have always gone there.
std::optional<ContactMethod> legacy_webhook(const Worker& worker);

}  // namespace piket::notifier
