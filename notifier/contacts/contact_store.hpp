#pragma once
// Contact methods, verification codes and workers' own notification rules in Redis (keys in
// common/keys.hpp). The notifier is their only writer. Codes are stored as an HMAC only, with an
// expiry and a count of wrong tries; the check is one Redis function (piket_contact_verify).
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/clock.hpp"
#include "common/redis/client.hpp"
#include "common/result.hpp"
#include "notifier/contacts/contact_method.hpp"
#include "notifier/rules/notification_rules.hpp"

namespace piket::notifier {

enum class CodeCheck { ok, wrong, expired, too_many, none };

class ContactStore {
 public:
  explicit ContactStore(redis::Client& redis) : redis_(redis) {}

  // The worker's stored methods, oldest first. An unreadable record is left out (and logged).
  boost::asio::awaitable<Result<std::vector<ContactMethod>>> list(const std::string& worker);
  boost::asio::awaitable<Result<std::optional<ContactMethod>>> get(const std::string& worker,
                                                                   const std::string& id);
  boost::asio::awaitable<Status> put(const std::string& worker, const ContactMethod& method);
  // Sets last_code or last_test on the method as stored now, in one step (a verification that
  // happened meanwhile is kept); ok also when the method was removed meanwhile.
  boost::asio::awaitable<Status> set_receipt(const std::string& worker, const std::string& id,
                                             const std::string& field, const nlohmann::json& receipt);
  // Removes the method and its code; not_found when there was none.
  boost::asio::awaitable<Status> remove(const std::string& worker, const std::string& id);

  boost::asio::awaitable<Status> set_code(const std::string& worker, const std::string& id,
                                          const std::string& code_hash, TimePoint expires);
  boost::asio::awaitable<Result<CodeCheck>> check_code(const std::string& worker, const std::string& id,
                                                       const std::string& code_hash, TimePoint now,
                                                       int max_attempts);

  // The worker's own rules; nullopt when they have none (the role's defaults apply).
  boost::asio::awaitable<Result<std::optional<NotificationRules>>> rules(const std::string& worker);
  boost::asio::awaitable<Status> put_rules(const std::string& worker, const NotificationRules& rules);
  boost::asio::awaitable<Status> delete_rules(const std::string& worker);

 private:
  redis::Client& redis_;
};

}  // namespace piket::notifier
