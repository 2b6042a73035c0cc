#pragma once
// What an alert says on the channels that carry text (SMS, voice, e-mail): a reference, the
// urgency, the municipality, the deadline, a short code and a link, and nothing else. Only
// those fields of the alert are ever read, so a name, an address, an age or a narrative that
// got into an alert by mistake still never reaches a phone or a mailbox.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace piket::notifier {

struct AlertText {
  std::string subject;  // e-mail subject
  std::string text;     // SMS text, e-mail body, the voice call's script
};

// The fields that may leave the notifier in an alert; the webhook body is cut down to these.
nlohmann::json alert_public_fields(const nlohmann::json& alert);

// Four digits from the alert id: what a worker answers with ("4821 JA").
std::string short_code(const std::string& alert_id);

// `zone`: the time zone the deadline is shown in (data.time_zone).
AlertText render_alert(const nlohmann::json& alert, const std::string& zone);
AlertText render_code(const std::string& code);
AlertText render_test();

}  // namespace piket::notifier
