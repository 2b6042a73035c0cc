#include "notifier/contacts/contact_method.hpp"

#include <cctype>

#include "common/crypto.hpp"
#include "notifier/channels/http_client.hpp"

namespace piket::notifier {
using nlohmann::json;

std::string_view channel_name(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::webhook: return "webhook";
    case ChannelKind::email: return "email";
    case ChannelKind::sms: return "sms";
    case ChannelKind::voice: return "voice";
  }
  return "webhook";
}

std::optional<ChannelKind> channel_from_name(std::string_view name) {
  for (ChannelKind kind : all_channels())
    if (channel_name(kind) == name) return kind;
  return std::nullopt;
}

const std::vector<ChannelKind>& all_channels() {
  static const std::vector<ChannelKind> kAll{ChannelKind::webhook, ChannelKind::email,
                                             ChannelKind::sms, ChannelKind::voice};
  return kAll;
}

bool is_e164(std::string_view number) {
  if (number.size() < 9 || number.size() > 16 || number[0] != '+' || number[1] == '0') return false;
  for (std::size_t i = 1; i < number.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(number[i]))) return false;
  return true;
}

bool is_email_address(std::string_view address) {
  if (address.empty() || address.size() > 254) return false;
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at != address.rfind('@')) return false;
  if (at > 64) return false;
  const std::string_view domain = address.substr(at + 1);
  if (domain.empty() || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos)
    return false;
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (c == '<' || c == '>' || c == '"' || c == '(' || c == ')' || c == ',' || c == ';' ||
        c == ':' || c == '\\' || c == '[' || c == ']')
      return false;
  }
  for (char c : domain)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  return true;
}

Status check_address(ChannelKind channel, const std::string& address, bool allow_plain_http) {
  switch (channel) {
    case ChannelKind::webhook: {
      if (address.size() > 500) return invalid("address", "a webhook URL is at most 500 characters");
      auto url = parse_http_url(address);
      if (!url) return invalid("address", "webhook URL " + url.error().message);
      if (!url->tls && !allow_plain_http && !is_loopback_host(url->host))
        return invalid("address", "a webhook URL must use https:// (plain http:// only to loopback)");
      return ok_status();
    }
    case ChannelKind::email:
      if (!is_email_address(address))
        return invalid("address", "must be an e-mail address like name@example.org (no spaces, "
                                  "quotes or angle brackets)");
      return ok_status();
    case ChannelKind::sms:
    case ChannelKind::voice:
      if (!is_e164(address))
        return invalid("address", "must be a phone number in E.164 form: + and 8 to 15 digits, "
                                  "like +31612345678");
      return ok_status();
  }
  return invalid("channel", "unknown channel");
}

std::string contact_method_id(ChannelKind channel, const std::string& address) {
  return std::string(channel_name(channel)) + "-" + sha256_hex(address).substr(0, 10);
}

Result<NewContactMethod> new_contact_method_from_json(const json& body, bool allow_plain_http) {
  if (!body.is_object()) return invalid("body", "must be a JSON object {channel, address}");
  for (const auto& [key, value] : body.items())
    if (key != "channel" && key != "address" && key != "id")  // id: the worker, from the path
      return invalid(key, "is not a field of a contact method (channel, address)");
  if (!body.contains("channel") || !body["channel"].is_string())
    return invalid("channel", "is required: webhook, email, sms or voice");
  auto channel = channel_from_name(body["channel"].get<std::string>());
  if (!channel) return invalid("channel", "must be webhook, email, sms or voice");
  if (!body.contains("address") || !body["address"].is_string())
    return invalid("address", "is required (a text)");
  NewContactMethod out{*channel, body["address"].get<std::string>()};
  if (auto ok = check_address(out.channel, out.address, allow_plain_http); !ok) return ok.error();
  return out;
}

json to_json(const ContactMethod& m) {
  json out{{"id", m.id},
           {"channel", channel_name(m.channel)},
           {"address", m.address},
           {"verified", m.verified},
           {"created_at", m.created_at},
           {"verified_at", m.verified_at.empty() ? json(nullptr) : json(m.verified_at)},
           {"last_code", m.last_code},
           {"last_test", m.last_test}};
  if (m.legacy) out["legacy"] = true;
  return out;
}

Result<ContactMethod> contact_method_from_json(const json& j) {
  if (!j.is_object()) return invalid("contact_method", "is not an object");
  ContactMethod m;
  auto text = [&](const char* key) -> std::string {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string{};
  };
  m.id = text("id");
  auto channel = channel_from_name(text("channel"));
  if (m.id.empty() || !channel) return invalid("contact_method", "has no id or channel");
  m.channel = *channel;
  m.address = text("address");
  m.verified = j.value("verified", false);
  m.created_at = text("created_at");
  m.verified_at = text("verified_at");
  if (j.contains("last_code")) m.last_code = j["last_code"];
  if (j.contains("last_test")) m.last_test = j["last_test"];
  return m;
}

std::optional<ContactMethod> legacy_webhook(const Worker& worker) {
  if (worker.webhook_url.empty()) return std::nullopt;
  ContactMethod m;
  m.id = "webhook-url";
  m.channel = ChannelKind::webhook;
  m.address = worker.webhook_url;
  m.verified = true;
  m.legacy = true;
  return m;
}

}  // namespace piket::notifier
