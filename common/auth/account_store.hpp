#pragma once
// Accounts, sessions and API tokens in Redis (common/auth/auth.lua, one Function per change).
// Used by the gateway (sign-in, every request) and by piket-admin.
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/auth/credentials.hpp"
#include "common/auth/principal.hpp"
#include "common/clock.hpp"
#include "common/redis/client.hpp"
#include "common/redis/functions.hpp"

namespace piket {
// The piket_auth Redis Functions library (common/auth/auth.lua), with its version.
const redis::FunctionLibrary& auth_library();
}  // namespace piket

namespace piket::auth {

struct Account {
  std::string id;
  PrincipalKind kind = PrincipalKind::user;  // user or client
  std::vector<std::string> roles;
  std::string worker;
  std::vector<std::string> teams;
  std::vector<std::string> regions;
  std::string password_hash;  // users only; never leaves the gateway or piket-admin
  bool disabled = false;
  TimePoint created_at{};
  std::string totp_secret;   // base32; empty when the account has no second factor
  std::string totp_pending;  // offered at self-enrolment, not yet confirmed
  int recovery_codes_left = 0;
};

// Why the account may not be stored, or nullopt: a valid id, known roles, a worker id for the
// worker role, teams for a team lead, regions for a manager or an operator.
std::optional<Error> account_problem(const Account& account);
// An id, a worker id, a team or a region: 1 to 64 of [a-z0-9._-], starting with a letter or digit.
bool valid_name(std::string_view name);

struct SessionRecord {
  std::string id, user;
  TimePoint created_at{}, last_seen{}, expires_at{};
};

struct TokenRecord {
  std::string id, owner, name;
  std::vector<std::string> scopes;
  TimePoint created_at{};
  std::optional<TimePoint> last_used_at;
};

struct SessionLimits {
  std::chrono::milliseconds idle{std::chrono::minutes(30)};
  std::chrono::milliseconds absolute{std::chrono::hours(12)};
};

struct LoginLimits {
  int account_max_failures = 5;
  int address_max_failures = 20;
  std::chrono::milliseconds lock_base{std::chrono::seconds(30)};
  std::chrono::milliseconds lock_max{std::chrono::minutes(15)};
  std::chrono::milliseconds forget{std::chrono::hours(1)};
};

// A verified session or token: who, and for a session the CSRF token its changes must carry.
struct Authenticated {
  Principal principal;
  std::string csrf;  // sessions only
  std::optional<SessionRecord> session;
};

// A new session: the record, the cookie value ("<id>.<secret>", shown once) and its CSRF token.
struct NewSession {
  SessionRecord record;
  std::string cookie;
  std::string csrf;
};

class AccountStore {
 public:
  explicit AccountStore(redis::Client& client) : client_(client) {}

  // `mode`: "create" (refused when the id exists), "update" (needs it) or "put".
  boost::asio::awaitable<Status> put_account(const Account& account, std::string mode, TimePoint now);
  boost::asio::awaitable<Result<std::optional<Account>>> account(const std::string& id);
  boost::asio::awaitable<Result<std::vector<std::string>>> account_ids();
  // Stores a new password hash and ends every session of the account; how many ended.
  boost::asio::awaitable<Result<int>> set_password(const std::string& id, const std::string& hash, TimePoint now);
  boost::asio::awaitable<Result<int>> set_disabled(const std::string& id, bool disabled, TimePoint now);
  // The second factor: a secret and the hashes of its recovery codes (an empty secret removes
  // it), a secret offered for self-enrolment, and the use of one code (false: used before).
  boost::asio::awaitable<Status> set_totp(const std::string& id, const std::string& secret,
                                          const std::vector<std::string>& recovery_hashes, TimePoint now);
  boost::asio::awaitable<Status> set_totp_pending(const std::string& id, const std::string& secret);
  boost::asio::awaitable<Result<bool>> use_totp_step(const std::string& id, std::int64_t step);
  boost::asio::awaitable<Result<bool>> use_recovery_code(const std::string& id, const std::string& hash);

  boost::asio::awaitable<Result<NewSession>> create_session(const std::string& user, TimePoint now,
                                                            const SessionLimits& limits,
                                                            const std::string& replaces);
  // The principal of a session cookie value; not_found when unknown, ended or expired.
  boost::asio::awaitable<Result<Authenticated>> use_session(const std::string& cookie, TimePoint now,
                                                            const SessionLimits& limits);
  boost::asio::awaitable<Status> end_session(const std::string& id);
  // Sessions of one user, or of every user when `user` is empty.
  boost::asio::awaitable<Result<std::vector<SessionRecord>>> sessions(const std::string& user);

  // A new API token for a user (acts with the user's roles) or an integration client (acts with
  // `scopes` only); the token text is in the result's text(), shown once.
  boost::asio::awaitable<Result<IssuedSecret>> create_token(const std::string& owner,
                                                            const std::vector<std::string>& scopes,
                                                            const std::string& name, TimePoint now);
  boost::asio::awaitable<Result<Authenticated>> use_token(const std::string& token, TimePoint now);
  boost::asio::awaitable<Status> revoke_token(const std::string& id);
  boost::asio::awaitable<Result<std::vector<TokenRecord>>> tokens(const std::string& owner);

  // Counts a sign-in attempt for the account name and the client address; returns the end of
  // a lock-out instead when one is on (the password is then not checked at all).
  boost::asio::awaitable<Result<std::optional<TimePoint>>> login_begin(const std::string& user,
                                                                       const std::string& address,
                                                                       TimePoint now,
                                                                       const LoginLimits& limits);
  boost::asio::awaitable<Status> login_succeeded(const std::string& user, const std::string& address,
                                                 const LoginLimits& limits);

 private:
  redis::Client& client_;
};

}  // namespace piket::auth
