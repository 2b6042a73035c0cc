#include "notifier/contacts/contact_store.hpp"

#include <algorithm>

#include "common/keys.hpp"
#include "common/log.hpp"
#include "common/redis/functions.hpp"

namespace piket::notifier {
namespace asio = boost::asio;
using nlohmann::json;

asio::awaitable<Result<std::vector<ContactMethod>>> ContactStore::list(const std::string& worker) {
  std::vector<std::string> command{"HGETALL", keys::contact_methods(worker)};
  auto reply = co_await redis_.command(std::move(command));
  if (!reply) co_return reply.error();
  std::vector<ContactMethod> out;
  for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
    auto method = contact_method_from_json(json::parse(reply->elements[i + 1].str, nullptr, false));
    if (!method) {
      logger("notifier")->error("event=bad_contact_method worker={} method={}", worker, reply->elements[i].str);
      continue;
    }
    out.push_back(std::move(*method));
  }
  std::sort(out.begin(), out.end(), [](const ContactMethod& a, const ContactMethod& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  co_return out;
}

asio::awaitable<Result<std::optional<ContactMethod>>> ContactStore::get(const std::string& worker,
                                                                        const std::string& id) {
  std::vector<std::string> command{"HGET", keys::contact_methods(worker), id};
  auto reply = co_await redis_.command(std::move(command));
  if (!reply) co_return reply.error();
  if (reply->is_nil()) co_return std::optional<ContactMethod>{};
  auto method = contact_method_from_json(json::parse(reply->str, nullptr, false));
  if (!method) co_return method.error();
  co_return std::optional<ContactMethod>{std::move(*method)};
}

asio::awaitable<Status> ContactStore::put(const std::string& worker, const ContactMethod& method) {
  std::vector<std::string> command{"HSET", keys::contact_methods(worker), method.id, to_json(method).dump()};
  auto reply = co_await redis_.command(std::move(command));
  if (!reply) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Status> ContactStore::set_receipt(const std::string& worker, const std::string& id,
                                                  const std::string& field, const json& receipt) {
  auto command = redis::fcall("piket_contact_receipt", {keys::contact_methods(worker)}, {id, field, receipt.dump()});
  auto reply = co_await redis_.command(std::move(command));
  if (!reply) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Status> ContactStore::remove(const std::string& worker, const std::string& id) {
  std::vector<std::string> code{"DEL", keys::contact_code(worker, id)};
  if (auto r = co_await redis_.command(std::move(code)); !r) co_return r.error();
  std::vector<std::string> command{"HDEL", keys::contact_methods(worker), id};
  auto reply = co_await redis_.command(std::move(command));
  if (!reply) co_return reply.error();
  if (reply->integer == 0) co_return make_error(ErrorCode::not_found, "method", "no such contact method");
  co_return ok_status();
}

asio::awaitable<Status> ContactStore::set_code(const std::string& worker, const std::string& id,
                                               const std::string& code_hash, TimePoint expires) {
  const std::string key = keys::contact_code(worker, id);
  const std::string expires_ms = std::to_string(to_unix_ms(expires));
  // A new code starts over: its own hash, its own count of wrong tries.
  std::vector<std::string> command{"HSET", key, "hash", code_hash, "expires_ms", expires_ms, "attempts", "0"};
  if (auto r = co_await redis_.command(std::move(command)); !r) co_return r.error();
  // Redis drops it a day later at the latest; the expiry that counts is expires_ms (test clock).
  std::vector<std::string> expire{"EXPIRE", key, "86400"};
  if (auto r = co_await redis_.command(std::move(expire)); !r) co_return r.error();
  co_return ok_status();
}

asio::awaitable<Result<CodeCheck>> ContactStore::check_code(const std::string& worker, const std::string& id,
                                                            const std::string& code_hash, TimePoint now,
                                                            int max_attempts) {
  auto command = redis::fcall("piket_contact_verify",
                              {keys::contact_code(worker, id), keys::contact_methods(worker)},
                              {id, code_hash, std::to_string(to_unix_ms(now)), std::to_string(max_attempts),
                               format_utc(now)});
  auto reply = co_await redis_.command(std::move(command));
  if (!reply) co_return reply.error();
  const std::string verdict = reply->str;
  if (verdict == "ok") co_return CodeCheck::ok;
  if (verdict == "wrong") co_return CodeCheck::wrong;
  if (verdict == "expired") co_return CodeCheck::expired;
  if (verdict == "too_many") co_return CodeCheck::too_many;
  co_return CodeCheck::none;
}

asio::awaitable<Result<std::optional<NotificationRules>>> ContactStore::rules(const std::string& worker) {
  std::vector<std::string> command{"GET", keys::notification_rules(worker)};
  auto reply = co_await redis_.command(std::move(command));
  if (!reply) co_return reply.error();
  if (reply->is_nil()) co_return std::optional<NotificationRules>{};
  auto rules = rules_from_json(json::parse(reply->str, nullptr, false));
  if (!rules) {
    logger("notifier")->error("event=bad_notification_rules worker={}", worker);
    co_return std::optional<NotificationRules>{};  // the role's defaults rather than silence
  }
  co_return std::optional<NotificationRules>{std::move(*rules)};
}

asio::awaitable<Status> ContactStore::put_rules(const std::string& worker, const NotificationRules& rules) {
  std::vector<std::string> command{"SET", keys::notification_rules(worker), to_json(rules).dump()};
  auto reply = co_await redis_.command(std::move(command));
  if (!reply) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Status> ContactStore::delete_rules(const std::string& worker) {
  std::vector<std::string> command{"DEL", keys::notification_rules(worker)};
  auto reply = co_await redis_.command(std::move(command));
  if (!reply) co_return reply.error();
  co_return ok_status();
}

}  // namespace piket::notifier
