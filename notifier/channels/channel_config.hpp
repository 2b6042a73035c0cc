#pragma once
// The channels' configuration: [notifier.email] (SMTP), [notifier.sms] and [notifier.voice] (an
// HTTP provider each: URL, authentication and a body template, so common providers fit without
// code), the breaker, verification codes and the notification rules file. Read by the notifier
// alone from the same piket.toml, every problem listed at once.
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/config_reader.hpp"
#include "notifier/receipts/delivery_receipt.hpp"
#include "notifier/rules/circuit_breaker.hpp"

namespace piket::notifier {

struct SmtpConfig {
  bool enabled = false;
  std::string url;  // smtp://host:port or smtps://host:port
  std::string from;
  bool starttls = false;
  std::string username;
  std::string password;  // resolved from password_env / password_file
};

struct ProviderConfig {
  bool enabled = false;
  std::string url;
  std::string content_type = "application/json";
  std::string auth_header = "Authorization";  // "" = no authentication header
  std::string auth_value;                     // auth_prefix + the secret (auth_secret_env/file)
  std::string from;
  // With {{to}}, {{from}}, {{text}}, {{notification_id}}, {{purpose}}: each value escaped for
  // the content type (JSON string content, or form-encoded).
  std::string body_template;
  // Delivery receipts to /api/v1/receipts/<channel>: the shared secret (receipt_secret_env or
  // _file; absent: receipts refused) and where the provider puts our id and its status.
  ReceiptConfig receipt;
};

struct ChannelConfig {
  SmtpConfig email;
  ProviderConfig sms;
  ProviderConfig voice;
  std::string rules_file;  // notification rule defaults per role; "" = webhook at once only
  BreakerOptions breaker;
  int code_ttl_s = 600;
  int code_max_attempts = 5;
  std::string time_zone = "Europe/Amsterdam";
};

ChannelConfig load_channel_config(const PiketConfig& config, std::vector<ConfigProblem>& problems);
ChannelConfig parse_channel_config(const std::string& file, std::string_view text,
                                   std::vector<ConfigProblem>& problems);

// The body of a provider request: the template with each {{name}} replaced by its value,
// escaped for `content_type`. Unknown names stay as they are (checked at start-up).
std::string render_provider_body(const std::string& body_template, const std::string& content_type,
                                 const std::map<std::string, std::string>& values);

}  // namespace piket::notifier
