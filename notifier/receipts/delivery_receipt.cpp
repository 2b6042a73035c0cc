#include "notifier/receipts/delivery_receipt.hpp"

#include <sodium.h>

#include <cctype>
#include <map>

#include <nlohmann/json.hpp>

#include "common/crypto.hpp"

namespace piket::notifier {

namespace {
bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string form_decode(const std::string& in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::map<std::string, std::string> fields_of(const ReceiptRequest& request) {
  std::map<std::string, std::string> out;
  if (request.content_type.find("json") != std::string::npos) {
    auto j = nlohmann::json::parse(request.raw, nullptr, false);
    if (!j.is_object()) return out;
    for (const auto& [key, value] : j.items())
      if (value.is_string()) out[key] = value.get<std::string>();
    return out;
  }
  std::size_t at = 0;
  while (at <= request.raw.size()) {
    auto amp = request.raw.find('&', at);
    if (amp == std::string::npos) amp = request.raw.size();
    const std::string pair = request.raw.substr(at, amp - at);
    const auto eq = pair.find('=');
    if (eq != std::string::npos) out[form_decode(pair.substr(0, eq))] = form_decode(pair.substr(eq + 1));
    at = amp + 1;
  }
  return out;
}

bool printable(const std::string& text, std::size_t max) {
  if (text.empty() || text.size() > max) return false;
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  return true;
}
}  // namespace

Result<Receipt> read_receipt(const ReceiptConfig& config, const ReceiptRequest& request, TimePoint now) {
  if (config.secret.empty())
    return make_error(ErrorCode::unauthenticated, "", "receipts are not configured for this channel");
  bool proven = !request.token.empty() && same(request.token, config.secret);
  if (!proven && !request.signature.empty()) {
    long long stamp = 0;
    try {
      stamp = std::stoll(request.timestamp);
    } catch (const std::exception&) {
      return make_error(ErrorCode::unauthenticated, "X-Piket-Timestamp", "must be Unix seconds");
    }
    const long long skew = to_unix_ms(now) / 1000 - stamp;
    if (skew > 300 || skew < -300)
      return make_error(ErrorCode::unauthenticated, "X-Piket-Timestamp", "is more than 300 s from now");
    const std::string expected = "v1=" + hmac_sha256_hex(config.secret, request.timestamp + "." + request.raw);
    proven = same(expected, request.signature);
  }
  if (!proven) return make_error(ErrorCode::unauthenticated, "", "the receipt's token or signature does not hold");
  const auto fields = fields_of(request);
  Receipt out;
  if (auto id = fields.find(config.id_field); id != fields.end()) out.notification_id = id->second;
  if (!out.notification_id.starts_with("n-") || !printable(out.notification_id, 64))
    return invalid(config.id_field, "must be the notification id Piket sent (n-...)");
  auto status = fields.find(config.status_field);
  if (status == fields.end() || !printable(status->second, 32))
    return invalid(config.status_field, "is required: the provider's status of the message");
  out.provider_status = status->second;
  out.status = "other";
  for (const auto& s : config.delivered)
    if (s == status->second) out.status = "delivered";
  for (const auto& s : config.failed)
    if (s == status->second) out.status = "failed";
  return out;
}

}  // namespace piket::notifier
