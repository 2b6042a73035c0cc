// The notifier's requests about a worker's contact methods and notification rules (through the
// gateway: /api/v1/workers/{id}/contact-methods..., /notification-rules). Who asks comes from
// the envelope's principal only: a worker keeps their own, a manager those of their regions'
// workers, an admin anyone's (common/auth/access.cpp has the table).
#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "common/auth/access.hpp"
#include "common/crypto.hpp"
#include "common/log.hpp"
#include "common/message_types.hpp"
#include "common/request_fields.hpp"
#include "notifier/service.hpp"

namespace piket::notifier {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
auto log() { return logger("notifier.contacts"); }

// Six digits from libsodium: 1 in a million per guess, and only code_max_attempts guesses.
std::string new_code() {
  std::string code = std::to_string(randombytes_uniform(1000000));
  return std::string(6 - code.size(), '0') + code;
}

json method_view(const ContactMethod& m) { return to_json(m); }
}  // namespace

void NotifierService::bind_contact_requests() {
  using Handler = asio::awaitable<Result<json>> (NotifierService::*)(const Envelope&);
  auto bind = [this](std::string_view type, Handler handler) {
    rpc_->on(type, [this, handler](const Envelope& e) { return (this->*handler)(e); });
  };
  bind(msg::kContactList, &NotifierService::contact_list);
  bind(msg::kContactAdd, &NotifierService::contact_add);
  bind(msg::kContactDelete, &NotifierService::contact_delete);
  bind(msg::kContactSendCode, &NotifierService::contact_send_code);
  bind(msg::kContactVerify, &NotifierService::contact_verify);
  bind(msg::kContactTest, &NotifierService::contact_test);
  bind(msg::kRulesGet, &NotifierService::rules_get);
  bind(msg::kRulesPut, &NotifierService::rules_put);
  bind(msg::kRulesDelete, &NotifierService::rules_delete);
  bind(kReceiptRecord, &NotifierService::receipt_record);
}

asio::awaitable<Result<Worker>> NotifierService::managed_worker(const Envelope& request) {
  if (!request.principal) co_return make_error(ErrorCode::unauthenticated, "", "sign in first");
  const auth::Principal& who = *request.principal;
  std::string id;
  if (auto e = read_token(request.body, "id", true, 64, id)) co_return *e;
  const auto workers = co_await workers_.current();
  const Worker* worker = workers->find(id);
  // The grant is the best of the principal's roles; "own" is decided here with the data.
  const auth::Grant grant = auth::grant_for(who, request.type);
  bool mine = grant == auth::Grant::allowed;
  if (!mine && who.has_role(auth::kWorker) && auth::grant_for_role(auth::kWorker, request.type) == auth::Grant::own)
    mine = who.worker == id;
  if (!mine && worker && who.has_role(auth::kManager) &&
      auth::grant_for_role(auth::kManager, request.type) == auth::Grant::own)
    mine = who.in_region(worker->region);
  if (!mine) co_return make_error(ErrorCode::forbidden, "id", "not a worker whose contact data you keep");
  if (!worker) co_return make_error(ErrorCode::not_found, "id", "unknown worker");
  co_return *worker;
}

asio::awaitable<Result<json>> NotifierService::contact_list(const Envelope& request) {
  auto worker = co_await managed_worker(request);
  if (!worker) co_return worker.error();
  auto methods = co_await methods_of(*worker);
  if (!methods) co_return methods.error();
  json out = json::array();
  for (const auto& m : *methods) out.push_back(method_view(m));
  co_return json{{"worker", worker->id}, {"contact_methods", out}};
}

asio::awaitable<Result<json>> NotifierService::contact_add(const Envelope& request) {
  auto worker = co_await managed_worker(request);
  if (!worker) co_return worker.error();
  auto input = new_contact_method_from_json(request.body, config_.notifier.allow_plain_http);
  if (!input) co_return input.error();
  if (!channel(input->channel))
    co_return invalid("channel", "the " + std::string(channel_name(input->channel)) +
                                     " channel is not configured on this notifier");
  const std::string id = contact_method_id(input->channel, input->address);
  auto existing = co_await contacts_.get(worker->id, id);
  if (!existing) co_return existing.error();
  if (existing->has_value()) co_return json{{"created", false}, {"contact_method", method_view(**existing)}};
  auto all = co_await contacts_.list(worker->id);
  if (!all) co_return all.error();
  if (all->size() >= 20) co_return invalid("address", "a worker has at most 20 contact methods");
  ContactMethod method;
  method.id = id;
  method.channel = input->channel;
  method.address = input->address;
  method.created_at = format_utc(clock_.now());
  if (auto stored = co_await contacts_.put(worker->id, method); !stored) co_return stored.error();
  log()->info("event=contact_added worker={} method={} by={}", worker->id, id, request.principal->actor());
  // A new method is unverified: its code goes out at once.
  const std::string code = new_code();
  const TimePoint expires = clock_.now() + std::chrono::seconds(channels_config_.code_ttl_s);
  if (auto set = co_await contacts_.set_code(worker->id, id, code_hash(worker->id, id, code), expires); !set)
    co_return set.error();
  if (auto started = start_direct_send(worker->id, method, "code", code); started.ok())
    method.last_code = json{{"status", "sending"}, {"at", format_utc(clock_.now())}};
  co_return json{{"created", true}, {"contact_method", method_view(method)}};
}

asio::awaitable<Result<json>> NotifierService::contact_delete(const Envelope& request) {
  auto worker = co_await managed_worker(request);
  if (!worker) co_return worker.error();
  std::string id;
  if (auto e = read_token(request.body, "method", true, 64, id)) co_return *e;
  if (id == "webhook-url")
    co_return invalid("method", "the worker's webhook_url is part of the worker record: change it there");
  if (auto removed = co_await contacts_.remove(worker->id, id); !removed) co_return removed.error();
  log()->info("event=contact_removed worker={} method={} by={}", worker->id, id, request.principal->actor());
  co_return json{{"deleted", id}};
}

asio::awaitable<Result<json>> NotifierService::contact_send_code(const Envelope& request) {
  auto worker = co_await managed_worker(request);
  if (!worker) co_return worker.error();
  std::string id;
  if (auto e = read_token(request.body, "method", true, 64, id)) co_return *e;
  auto method = co_await contacts_.get(worker->id, id);
  if (!method) co_return method.error();
  if (!method->has_value()) co_return make_error(ErrorCode::not_found, "method", "no such contact method");
  if ((*method)->verified) co_return make_error(ErrorCode::conflict, "method", "is verified already");
  const std::string code = new_code();
  const TimePoint expires = clock_.now() + std::chrono::seconds(channels_config_.code_ttl_s);
  if (auto started = start_direct_send(worker->id, **method, "code", code); !started) co_return started.error();
  if (auto set = co_await contacts_.set_code(worker->id, id, code_hash(worker->id, id, code), expires); !set)
    co_return set.error();
  co_return json{{"sent", id}, {"expires_at", format_utc(expires)}};
}

asio::awaitable<Result<json>> NotifierService::contact_verify(const Envelope& request) {
  auto worker = co_await managed_worker(request);
  if (!worker) co_return worker.error();
  std::string id, code;
  if (auto e = read_token(request.body, "method", true, 64, id)) co_return *e;
  if (auto e = read_token(request.body, "code", true, 16, code)) co_return *e;
  if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos)
    co_return invalid("code", "must be the 6 digits that were sent");
  auto checked = co_await contacts_.check_code(worker->id, id, code_hash(worker->id, id, code), clock_.now(),
                                               channels_config_.code_max_attempts);
  if (!checked) co_return checked.error();
  switch (*checked) {
    case CodeCheck::ok: break;
    case CodeCheck::wrong: co_return invalid("code", "is not the code that was sent");
    case CodeCheck::expired: co_return invalid("code", "has expired: ask for a new one (send-code)");
    case CodeCheck::too_many:
      co_return make_error(ErrorCode::too_many_requests, "code", "too many wrong codes: ask for a new one (send-code)");
    case CodeCheck::none: co_return make_error(ErrorCode::not_found, "method", "no code is waiting for this method");
  }
  log()->info("event=contact_verified worker={} method={}", worker->id, id);
  auto method = co_await contacts_.get(worker->id, id);
  if (!method) co_return method.error();
  if (!method->has_value()) co_return make_error(ErrorCode::not_found, "method", "no such contact method");
  co_return json{{"contact_method", method_view(**method)}};
}

asio::awaitable<Result<json>> NotifierService::contact_test(const Envelope& request) {
  auto worker = co_await managed_worker(request);
  if (!worker) co_return worker.error();
  std::string id;
  if (auto e = read_token(request.body, "method", true, 64, id)) co_return *e;
  auto methods = co_await methods_of(*worker);
  if (!methods) co_return methods.error();
  const ContactMethod* method = nullptr;
  for (const auto& m : *methods)
    if (m.id == id) method = &m;
  if (!method) co_return make_error(ErrorCode::not_found, "method", "no such contact method");
  if (!method->verified) co_return make_error(ErrorCode::conflict, "method", "verify it first");
  if (method->legacy) co_return invalid("method", "the worker's webhook_url is tested by an alert; add it as a method to test it");
  if (auto started = start_direct_send(worker->id, *method, "test", ""); !started) co_return started.error();
  co_return json{{"testing", id}, {"see", "GET /api/v1/workers/" + worker->id + "/contact-methods: last_test"}};
}

asio::awaitable<Result<json>> NotifierService::rules_get(const Envelope& request) {
  auto worker = co_await managed_worker(request);
  if (!worker) co_return worker.error();
  auto own = co_await contacts_.rules(worker->id);
  if (!own) co_return own.error();
  const bool mine = own->has_value();
  const NotificationRules& rules = mine ? **own : rule_defaults_.for_worker(*worker);
  co_return json{{"worker", worker->id}, {"source", mine ? "worker" : "role_default"}, {"rules", to_json(rules)}};
}

asio::awaitable<Result<json>> NotifierService::rules_put(const Envelope& request) {
  auto worker = co_await managed_worker(request);
  if (!worker) co_return worker.error();
  if (!request.body.contains("rules")) co_return invalid("rules", "is required: {\"rules\": {\"T1\": [...]}}");
  for (const auto& [key, value] : request.body.items())
    if (key != "rules" && key != "id") co_return invalid(key, "is not a field of notification rules (rules)");
  auto rules = rules_from_json(request.body["rules"]);
  if (!rules) co_return rules.error();
  if (auto stored = co_await contacts_.put_rules(worker->id, *rules); !stored) co_return stored.error();
  log()->info("event=rules_changed worker={} by={}", worker->id, request.principal->actor());
  co_return json{{"worker", worker->id}, {"source", "worker"}, {"rules", to_json(*rules)}};
}

asio::awaitable<Result<json>> NotifierService::rules_delete(const Envelope& request) {
  auto worker = co_await managed_worker(request);
  if (!worker) co_return worker.error();
  if (auto removed = co_await contacts_.delete_rules(worker->id); !removed) co_return removed.error();
  co_return json{{"worker", worker->id}, {"source", "role_default"},
                 {"rules", to_json(rule_defaults_.for_worker(*worker))}};
}

std::string NotifierService::code_hash(const std::string& worker, const std::string& method,
                                       const std::string& code) const {
  // Keyed, so a copy of Redis does not give the code away by trying all million.
  return hmac_sha256_hex(secret_, "code\x1f" + worker + '\x1f' + method + '\x1f' + code);
}

Status NotifierService::start_direct_send(const std::string& worker, const ContactMethod& method,
                                          const std::string& purpose, const std::string& code) {
  const TimePoint now = clock_.now();
  const TimePoint allowed = rate_.next_allowed(worker + "/" + method.id, method.channel, false, now);
  if (allowed > now)
    return make_error(ErrorCode::too_many_requests, "method",
                      "at most one message a minute to this method: try again after " + format_utc(allowed));
  if (!channel(method.channel))
    return invalid("channel", "the " + std::string(channel_name(method.channel)) + " channel is not configured");
  rate_.sent(worker + "/" + method.id, now);
  asio::co_spawn(io_, direct_send(worker, method, purpose, code), asio::detached);
  return ok_status();
}

// A code or a test: one attempt (the worker can ask again), its receipt on the method.
asio::awaitable<void> NotifierService::direct_send(std::string worker, ContactMethod method, std::string purpose,
                                                   std::string code) {
  Channel* sender = channel(method.channel);
  if (!sender) co_return;
  OutgoingMessage message;
  message.notification_id = "n-" + purpose + "-" + sha256_hex(worker + method.id + format_utc(clock_.now()) + code).substr(0, 24);
  message.purpose = purpose;
  message.text = purpose == "code" ? render_code(code) : render_test();
  json body{{"purpose", purpose}, {"text", message.text.text}};
  if (purpose == "code") body["code"] = code;
  message.json_body = body.dump();
  const bool got = co_await deliveries_->slots.acquire();
  if (!got) co_return;
  auto sent = co_await sender->send(method.address, message);
  deliveries_->slots.release();
  json receipt{{"status", sent.ok() ? "delivered" : "failed"}, {"at", format_utc(clock_.now())},
               {"notification", message.notification_id}};
  if (!sent.ok()) receipt["error"] = sent.error().message;
  log()->info("event=contact_{} worker={} method={} status={}", purpose, worker, method.id,
              receipt["status"].get<std::string>());
  // Onto the method as stored now (it may have been verified meanwhile), in one Redis step.
  const std::string field = purpose == "code" ? "last_code" : "last_test";
  for (int tries = 1; tries <= 5; ++tries) {
    if (co_await contacts_.set_receipt(worker, method.id, field, receipt)) co_return;
    if (!co_await wait(std::chrono::milliseconds(config_.notifier.retry_base_ms) * tries)) co_return;
  }
}

}  // namespace piket::notifier
