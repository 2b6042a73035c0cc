#include "notifier/channels/alert_text.hpp"

#include <cstdio>

#include "common/clock.hpp"
#include "common/crypto.hpp"
#include "common/local_time.hpp"

namespace piket::notifier {
using nlohmann::json;

namespace {
// Only ids, codes, class names, place names and links: printable, short, no line breaks.
std::string field(const json& alert, const char* key, std::size_t max = 120) {
  if (!alert.contains(key) || !alert[key].is_string()) return {};
  std::string out;
  for (char c : alert[key].get<std::string>()) {
    if (out.size() >= max) break;
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
  }
  return out;
}

const char* kind_words(const std::string& kind) {
  if (kind == "callout" || kind.empty()) return "oproep / call-out";
  if (kind == "visit") return "huisbezoek / visit";
  if (kind == "consult") return "consult";
  if (kind == "handoff") return "overdracht / hand-off";
  if (kind == "deadline") return "termijn / deadline";
  if (kind == "coverage_gap") return "bezettingsgat / coverage gap";
  return "melding / notice";
}

// A deadline notice's name, in words (first_contact_warning_<n> for any n).
std::string notice_words(const std::string& notice) {
  if (notice == "first_contact_due") return "eerste contact te laat / first contact overdue";
  if (notice.starts_with("first_contact_warning")) return "eerste contact nadert / first contact due soon";
  if (notice == "order_address_due") return "huisverbod: adres verwacht / order: address due";
  if (notice == "order_ends_in_24h") return "huisverbod eindigt binnen 24 uur / order ends within 24 h";
  if (notice == "order_ends") return "huisverbod eindigt / order ends";
  return {};
}
}  // namespace

json alert_public_fields(const json& alert) {
  // Ids, codes, class and place names, times and links: what the dispatcher and the scheduler
  // put in alerts on purpose (docs/api.md). Anything else is dropped, whatever it holds.
  static const char* kAllowed[] = {
      "alert_id", "assignment", "kind",     "channel",     "worker",       "step",
      "reference", "urgency",   "region",   "municipality", "link",        "deadline_ms",
      "visit_start_ms", "visit_end_ms", "visit", "outgoing", "role",       "duty",
      "start",    "end",        "acknowledge", "message",  "open_cases_known", "open_cases",
      "notice",   "staffed",    "minimum"};
  json out = json::object();
  if (!alert.is_object()) return out;
  for (const char* key : kAllowed) {
    if (!alert.contains(key)) continue;
    const json& value = alert[key];
    bool plain = value.is_string() || value.is_number() || value.is_boolean();
    if (value.is_array()) {  // lists of ids (open_cases)
      plain = true;
      for (const auto& item : value) plain = plain && item.is_string();
    }
    if (plain) out[key] = value;
  }
  return out;
}

namespace {
// "HH:MM" local time, with the day first ("dd-mm HH:MM") when asked.
std::string local_clock_text(TimePoint at, const std::string& zone, bool with_day) {
  const auto local = to_local(zone_or_utc(zone), at);
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::milliseconds> hms{local - day};
  char buffer[24];
  if (with_day)
    std::snprintf(buffer, sizeof buffer, "%02u-%02u %02d:%02d", static_cast<unsigned>(ymd.day()),
                  static_cast<unsigned>(ymd.month()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()));
  else
    std::snprintf(buffer, sizeof buffer, "%02d:%02d", static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()));
  return buffer;
}
}  // namespace

std::string short_code(const std::string& alert_id) {
  const std::string hash = sha256_hex(alert_id);
  const unsigned long n = std::stoul(hash.substr(0, 8), nullptr, 16) % 9000 + 1000;
  return std::to_string(n);
}

AlertText render_alert(const json& alert, const std::string& zone) {
  const std::string kind = field(alert, "kind");
  const std::string urgency = field(alert, "urgency", 8);
  const std::string reference = field(alert, "reference", 64);
  const std::string place = field(alert, "municipality", 64).empty() ? field(alert, "region", 64)
                                                                      : field(alert, "municipality", 64);
  const std::string link = field(alert, "link", 300);
  const std::string code = short_code(field(alert, "alert_id", 200));
  std::string deadline;
  if (alert.contains("deadline_ms") && alert["deadline_ms"].is_number_integer())
    deadline = local_clock_text(from_unix_ms(alert["deadline_ms"].get<std::int64_t>()), zone, false);
  AlertText out;
  out.subject = "Piket " + (urgency.empty() ? std::string("") : urgency + " ") + kind_words(kind) +
                (reference.empty() ? "" : " " + reference);
  out.text = "Piket " + (urgency.empty() ? std::string("") : urgency + " ") + kind_words(kind);
  if (!reference.empty()) out.text += " " + reference;
  if (!place.empty()) out.text += ", " + place;
  if (const std::string words = notice_words(field(alert, "notice", 40)); !words.empty()) out.text += ": " + words;
  if (TimePoint start, end; kind == "coverage_gap" && parse_utc(field(alert, "start", 40), start) &&
                            parse_utc(field(alert, "end", 40), end))
    out.text += " " + local_clock_text(start, zone, true) + " - " + local_clock_text(end, zone, true);
  if (!deadline.empty()) out.text += ". Reageer voor / answer by " + deadline;
  // The short code names the alert on the phone; answering by SMS with it is not built yet, so
  // the text does not invite a reply (accept through the link).
  if (kind == "callout" || kind.empty()) out.text += ". Code " + code;
  if (!link.empty()) out.text += ". " + link;
  return out;
}

AlertText render_code(const std::string& code) {
  return {"Piket verificatiecode / verification code",
          "Piket: uw verificatiecode is / your verification code is " + code +
              ". Geldig 10 minuten / valid for 10 minutes."};
}

AlertText render_test() {
  return {"Piket testbericht / test alert",
          "Piket: dit is een testbericht / this is a test alert. Er is niets te doen / nothing to do."};
}

}  // namespace piket::notifier
