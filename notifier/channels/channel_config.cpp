#include "notifier/channels/channel_config.hpp"

#include <map>

#include "common/local_time.hpp"
#include "notifier/channels/http_client.hpp"
#include "notifier/contacts/contact_method.hpp"

namespace piket::notifier {

namespace {
const std::vector<std::string>& template_names() {
  static const std::vector<std::string> kNames{"to", "from", "text", "notification_id", "purpose"};
  return kNames;
}

// A secret that may be absent (no AUTH, no header): "" then; env first, then the file.
std::string optional_secret(ConfigReader& r, const toml::table& t, const std::string& section,
                            const std::string& name, std::vector<ConfigProblem>& problems) {
  SecretRef ref;
  ref.key = section + "." + name;
  if (t.contains(name)) r.problem(ref.key, "secrets must not be inline; use " + name + "_env or " + name + "_file");
  if (t.contains(name + "_env")) ref.env = r.string(t, name + "_env", section + "." + name + "_env");
  if (t.contains(name + "_file"))
    ref.file = resolve_relative(r.file(), r.string(t, name + "_file", section + "." + name + "_file"));
  if (ref.env.empty() && ref.file.empty()) return {};
  return resolve_secret(ref, r.file(), problems);
}

SmtpConfig read_smtp(ConfigReader& r, const toml::table& n, std::vector<ConfigProblem>& problems) {
  SmtpConfig out;
  if (!n.contains("email")) return out;
  const auto& e = r.table(n, "email", "notifier.email", true);
  out.enabled = true;
  out.url = r.string(e, "smtp_url", "notifier.email.smtp_url");
  if (!out.url.empty() && !out.url.starts_with("smtp://") && !out.url.starts_with("smtps://"))
    r.problem("notifier.email.smtp_url", "must start with smtp:// (STARTTLS with starttls = true) or smtps://");
  out.from = r.string(e, "from", "notifier.email.from");
  if (!out.from.empty() && !is_email_address(out.from))
    r.problem("notifier.email.from", "must be a plain e-mail address like piket@example.org");
  out.starttls = r.boolean(e, "starttls", "notifier.email.starttls", false);
  out.username = r.string(e, "username", "notifier.email.username", "");
  out.password = optional_secret(r, e, "notifier.email", "password", problems);
  if (!out.username.empty() && out.password.empty())
    r.problem("notifier.email.password_env", "a username needs a password (password_env or password_file)");
  return out;
}

ProviderConfig read_provider(ConfigReader& r, const toml::table& n, const std::string& name,
                             std::vector<ConfigProblem>& problems) {
  ProviderConfig out;
  if (!n.contains(name)) return out;
  const std::string section = "notifier." + name;
  const auto& p = r.table(n, name, section, true);
  out.enabled = true;
  out.url = r.string(p, "url", section + ".url");
  if (!out.url.empty()) {
    if (auto url = parse_http_url(out.url); !url) r.problem(section + ".url", url.error().message);
  }
  out.content_type = r.string(p, "content_type", section + ".content_type", "application/json");
  if (out.content_type != "application/json" && out.content_type != "application/x-www-form-urlencoded")
    r.problem(section + ".content_type", "must be application/json or application/x-www-form-urlencoded");
  out.auth_header = r.string(p, "auth_header", section + ".auth_header", "Authorization");
  const std::string prefix = r.string(p, "auth_prefix", section + ".auth_prefix", "Bearer ");
  const std::string secret = optional_secret(r, p, section, "auth_secret", problems);
  if (!out.auth_header.empty() && !secret.empty()) out.auth_value = prefix + secret;
  out.from = r.string(p, "from", section + ".from", "");
  out.body_template = r.string(p, "body", section + ".body");
  // Every {{name}} must be one we fill in: a typo would otherwise reach the provider.
  for (std::size_t at = out.body_template.find("{{"); at != std::string::npos;
       at = out.body_template.find("{{", at + 2)) {
    const auto end = out.body_template.find("}}", at);
    if (end == std::string::npos) {
      r.problem(section + ".body", "has a {{ without }}");
      break;
    }
    const std::string key = out.body_template.substr(at + 2, end - at - 2);
    bool known = false;
    for (const auto& k : template_names()) known = known || k == key;
    if (!known) r.problem(section + ".body", "{{" + key + "}} is not one of to, from, text, notification_id, purpose");
  }
  if (!out.body_template.empty() && out.body_template.find("{{to}}") == std::string::npos)
    r.problem(section + ".body", "must contain {{to}}");
  out.receipt.secret = optional_secret(r, p, section, "receipt_secret", problems);
  out.receipt.id_field = r.string(p, "receipt_id_field", section + ".receipt_id_field", "reference");
  out.receipt.status_field = r.string(p, "receipt_status_field", section + ".receipt_status_field", "status");
  if (p.contains("receipt_delivered"))
    out.receipt.delivered = r.strings(p, "receipt_delivered", section + ".receipt_delivered", true);
  if (p.contains("receipt_failed"))
    out.receipt.failed = r.strings(p, "receipt_failed", section + ".receipt_failed", true);
  return out;
}

ChannelConfig read_channels(ConfigReader& r, const toml::table& root, const std::string& zone,
                            std::vector<ConfigProblem>& problems) {
  ChannelConfig out;
  out.time_zone = zone;
  const auto& n = r.table(root, "notifier", "notifier", false);
  const std::string rules = r.string(n, "rules_file", "notifier.rules_file", "");
  out.rules_file = rules.empty() ? "" : resolve_relative(r.file(), rules);
  out.breaker.failures_to_open = static_cast<int>(
      r.integer(n, "breaker_failures", "notifier.breaker_failures", 5, 1, 1000));
  out.breaker.cool_down = std::chrono::seconds(
      r.integer(n, "breaker_cool_down_s", "notifier.breaker_cool_down_s", 60, 1, 3600));
  out.code_ttl_s = static_cast<int>(r.integer(n, "code_ttl_s", "notifier.code_ttl_s", 600, 60, 86400));
  out.code_max_attempts =
      static_cast<int>(r.integer(n, "code_max_attempts", "notifier.code_max_attempts", 5, 1, 20));
  out.email = read_smtp(r, n, problems);
  out.sms = read_provider(r, n, "sms", problems);
  out.voice = read_provider(r, n, "voice", problems);
  return out;
}

std::string json_escape(const std::string& value) {
  std::string quoted = nlohmann::json(value).dump();
  return quoted.substr(1, quoted.size() - 2);
}

std::string form_escape(const std::string& value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}
}  // namespace

std::string render_provider_body(const std::string& body_template, const std::string& content_type,
                                 const std::map<std::string, std::string>& values) {
  const bool form = content_type == "application/x-www-form-urlencoded";
  std::string out;
  std::size_t at = 0;
  while (true) {
    const auto open = body_template.find("{{", at);
    const auto close = open == std::string::npos ? std::string::npos : body_template.find("}}", open);
    if (close == std::string::npos) {
      out += body_template.substr(at);
      return out;
    }
    out += body_template.substr(at, open - at);
    const std::string key = body_template.substr(open + 2, close - open - 2);
    if (auto found = values.find(key); found != values.end())
      out += form ? form_escape(found->second) : json_escape(found->second);
    else
      out += body_template.substr(open, close + 2 - open);
    at = close + 2;
  }
}

ChannelConfig parse_channel_config(const std::string& file, std::string_view text,
                                   std::vector<ConfigProblem>& problems) {
  ConfigReader r(file);
  ChannelConfig out;
  if (auto root = r.parse_text(text)) out = read_channels(r, *root, "Europe/Amsterdam", problems);
  problems.insert(problems.end(), r.problems().begin(), r.problems().end());
  return out;
}

ChannelConfig load_channel_config(const PiketConfig& config, std::vector<ConfigProblem>& problems) {
  ConfigReader r(config.file);
  ChannelConfig out;
  if (auto root = r.parse_file()) out = read_channels(r, *root, config.data.time_zone, problems);
  problems.insert(problems.end(), r.problems().begin(), r.problems().end());
  return out;
}

}  // namespace piket::notifier
