#include "common/auth/account_store.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/auth/access.hpp"
#include "common/keys.hpp"
#include "common/redis/functions.hpp"

namespace piket::auth {
namespace asio = boost::asio;
using nlohmann::json;

namespace {
// The last use of a session or token is written at most this often: idle expiry is exact to a
// minute, and a request costs no write (Redis fsyncs every write) most of the time.
constexpr std::chrono::milliseconds kTouchEvery{std::chrono::seconds(60)};

using redis::fcall;

std::string ms(TimePoint t) { return std::to_string(to_unix_ms(t)); }
TimePoint from_ms_text(const std::string& text) {
  return from_unix_ms(std::strtoll(text.c_str(), nullptr, 10));
}

std::map<std::string, std::string> as_map(const redis::Value& flat) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i + 1 < flat.elements.size(); i += 2)
    out[flat.elements[i].text()] = flat.elements[i + 1].text();
  return out;
}

std::vector<std::string> list_of(const std::string& text) {
  std::vector<std::string> out;
  auto j = json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& item : j)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

Account account_from(const std::map<std::string, std::string>& a) {
  auto get = [&](const char* key) {
    auto it = a.find(key);
    return it == a.end() ? std::string{} : it->second;
  };
  Account out;
  out.id = get("id");
  out.kind = get("kind") == "client" ? PrincipalKind::client : PrincipalKind::user;
  out.roles = list_of(get("roles"));
  out.worker = get("worker");
  out.teams = list_of(get("teams"));
  out.regions = list_of(get("regions"));
  out.password_hash = get("password");
  out.disabled = get("disabled") == "1";
  out.created_at = from_ms_text(get("created_at"));
  out.totp_secret = get("totp");
  out.totp_pending = get("totp_pending");
  const auto recovery = nlohmann::json::parse(get("recovery"), nullptr, false);
  out.recovery_codes_left = recovery.is_array() ? static_cast<int>(recovery.size()) : 0;
  return out;
}

Principal principal_of(const Account& a) {
  Principal p;
  p.kind = a.kind;
  p.id = a.id;
  if (a.kind == PrincipalKind::user) {
    p.roles = a.roles;
    p.worker = a.worker;
    p.teams = a.teams;
    p.regions = a.regions;
  }
  return p;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}
}  // namespace

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (!std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-' || c == '_' || c == '.';
  });
}

std::optional<Error> account_problem(const Account& a) {
  auto bad = [](std::string field, std::string message) {
    return make_error(ErrorCode::invalid_field, std::move(field), std::move(message));
  };
  if (!valid_name(a.id)) return bad("id", "must be 1 to 64 of a-z, 0-9, '.', '_', '-'");
  if (a.kind == PrincipalKind::service) return bad("kind", "must be user or client");
  if (a.kind == PrincipalKind::client) {
    if (!a.roles.empty()) return bad("roles", "an integration client has scopes on its tokens, not roles");
    return std::nullopt;
  }
  if (a.roles.empty()) return bad("roles", "a user needs at least one role");
  for (const auto& role : a.roles)
    if (!is_known_role(role)) return bad("roles", "unknown role " + role.substr(0, 64));
  for (const auto& list : {&a.teams, &a.regions})
    for (const auto& name : *list)
      if (name != kAllRegions && !valid_name(name)) return bad(list == &a.teams ? "teams" : "regions", "bad name " + name.substr(0, 64));
  if (contains(a.roles, kWorker) != !a.worker.empty())
    return bad("worker", "a worker user names exactly one worker id, and only a worker user names one");
  if (!a.worker.empty() && !valid_name(a.worker)) return bad("worker", "bad worker id");
  if (contains(a.roles, kTeamLead) && a.teams.empty()) return bad("teams", "a team lead leads at least one team");
  if ((contains(a.roles, kManager) || contains(a.roles, kOperator)) && a.regions.empty())
    return bad("regions", "a manager or an operator has at least one region (or *)");
  return std::nullopt;
}

asio::awaitable<Status> AccountStore::put_account(const Account& a, std::string mode, TimePoint now) {
  if (auto problem = account_problem(a)) co_return *problem;
  json record{{"id", a.id},           {"kind", std::string(kind_name(a.kind))},
              {"roles", a.roles},     {"worker", a.worker},
              {"teams", a.teams},     {"regions", a.regions},
              {"disabled", a.disabled}, {"password", a.password_hash},
              {"now", ms(now)}};
  auto command = fcall("piket_auth_put_account", {keys::account(a.id), keys::accounts()}, {record.dump(), mode});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Result<std::optional<Account>>> AccountStore::account(const std::string& id) {
  auto reply = co_await client_.command(redis::args("HGETALL", keys::account(id)));
  if (!reply.ok()) co_return reply.error();
  auto fields = as_map(*reply);
  if (fields.empty()) co_return std::optional<Account>{};
  co_return std::optional<Account>{account_from(fields)};
}

asio::awaitable<Result<std::vector<std::string>>> AccountStore::account_ids() {
  auto reply = co_await client_.command(redis::args("SMEMBERS", keys::accounts()));
  if (!reply.ok()) co_return reply.error();
  std::vector<std::string> ids;
  for (const auto& e : reply->elements) ids.push_back(e.text());
  std::sort(ids.begin(), ids.end());
  co_return ids;
}

asio::awaitable<Result<int>> AccountStore::set_password(const std::string& id, const std::string& hash,
                                                         TimePoint now) {
  auto command = fcall("piket_auth_set_password",
                                              {keys::account(id), keys::account_sessions(id)},
                                              {hash, ms(now), keys::session("")});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return static_cast<int>(reply->integer);
}

asio::awaitable<Status> AccountStore::set_totp(const std::string& id, const std::string& secret,
                                               const std::vector<std::string>& recovery_hashes,
                                               TimePoint now) {
  // Named first: GCC 12 cannot keep brace-list temporaries across a co_await.
  auto command = fcall("piket_auth_set_totp", {keys::account(id)},
                                              {secret, nlohmann::json(recovery_hashes).dump(), ms(now)});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Status> AccountStore::set_totp_pending(const std::string& id, const std::string& secret) {
  // Named first: GCC 12 cannot keep brace-list temporaries across a co_await.
  auto command = fcall("piket_auth_set_totp_pending", {keys::account(id)}, {secret});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Result<bool>> AccountStore::use_totp_step(const std::string& id, std::int64_t step) {
  // Named first: GCC 12 cannot keep brace-list temporaries across a co_await.
  auto command = fcall("piket_auth_use_second_factor", {keys::account(id)}, {"totp", std::to_string(step)});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer == 1;
}

asio::awaitable<Result<bool>> AccountStore::use_recovery_code(const std::string& id, const std::string& hash) {
  // Named first: GCC 12 cannot keep brace-list temporaries across a co_await.
  auto command = fcall("piket_auth_use_second_factor", {keys::account(id)}, {"recovery", hash});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return reply->integer == 1;
}

asio::awaitable<Result<int>> AccountStore::set_disabled(const std::string& id, bool disabled, TimePoint now) {
  auto command = fcall("piket_auth_set_disabled",
                                              {keys::account(id), keys::account_sessions(id)},
                                              {disabled ? "1" : "0", ms(now), keys::session("")});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return static_cast<int>(reply->integer);
}

asio::awaitable<Result<NewSession>> AccountStore::create_session(const std::string& user, TimePoint now,
                                                                 const SessionLimits& limits,
                                                                 const std::string& replaces) {
  const IssuedSecret secret = issue_secret("s");
  const IssuedSecret csrf = issue_secret("c");
  const std::string replaced_key = replaces.empty() ? keys::session("-") : keys::session(replaces);
  auto command = fcall(
      "piket_auth_create_session",
      {keys::session(secret.id), keys::account(user), keys::account_sessions(user), replaced_key},
      {secret.id, secret_hash(secret.secret), user, csrf.secret, ms(now),
       std::to_string(limits.absolute.count()), replaces, keys::account("")});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  NewSession out;
  out.record.id = secret.id;
  out.record.user = user;
  out.record.created_at = out.record.last_seen = now;
  out.record.expires_at = now + limits.absolute;
  out.cookie = secret.text();
  out.csrf = csrf.secret;
  co_return out;
}

asio::awaitable<Result<Authenticated>> AccountStore::use_session(const std::string& cookie, TimePoint now,
                                                                 const SessionLimits& limits) {
  auto parsed = parse_secret(cookie);
  if (!parsed) co_return make_error(ErrorCode::not_found, "session", "no such session");
  auto command = fcall("piket_auth_use_session", {keys::session(parsed->id)},
            {secret_hash(parsed->secret), ms(now), std::to_string(limits.idle.count()),
             std::to_string(kTouchEvery.count()), keys::account("")});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (reply->elements.size() != 2) co_return make_error(ErrorCode::internal, "session", "unexpected reply");
  auto s = as_map(reply->elements[0]);
  Authenticated out;
  out.principal = principal_of(account_from(as_map(reply->elements[1])));
  out.principal.session = s["id"];
  out.csrf = s["csrf"];
  SessionRecord record;
  record.id = s["id"];
  record.user = s["user"];
  record.created_at = from_ms_text(s["created_at"]);
  record.last_seen = from_ms_text(s["last_seen"]);
  record.expires_at = from_ms_text(s["expires_at"]);
  out.session = record;
  co_return out;
}

asio::awaitable<Status> AccountStore::end_session(const std::string& id) {
  auto command = fcall("piket_auth_end_session", {keys::session(id)}, {keys::account("")});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (reply->integer == 0) co_return make_error(ErrorCode::not_found, "id", "no such session");
  co_return ok_status();
}

asio::awaitable<Result<std::vector<SessionRecord>>> AccountStore::sessions(const std::string& user) {
  std::vector<std::string> users{user};
  if (user.empty()) {
    auto ids = co_await account_ids();
    if (!ids.ok()) co_return ids.error();
    users = *ids;
  }
  std::vector<SessionRecord> out;
  for (const auto& u : users) {
    auto members = co_await client_.command(redis::args("SMEMBERS", keys::account_sessions(u)));
    if (!members.ok()) co_return members.error();
    for (const auto& m : members->elements) {
      auto fields = co_await client_.command(redis::args("HGETALL", keys::session(m.text())));
      if (!fields.ok()) co_return fields.error();
      auto s = as_map(*fields);
      if (s.empty()) continue;  // expired by Redis meanwhile
      SessionRecord r;
      r.id = s["id"];
      r.user = s["user"];
      r.created_at = from_ms_text(s["created_at"]);
      r.last_seen = from_ms_text(s["last_seen"]);
      r.expires_at = from_ms_text(s["expires_at"]);
      out.push_back(r);
    }
  }
  co_return out;
}

asio::awaitable<Result<IssuedSecret>> AccountStore::create_token(const std::string& owner,
                                                                 const std::vector<std::string>& scopes,
                                                                 const std::string& name, TimePoint now) {
  auto account = co_await this->account(owner);
  if (!account.ok()) co_return account.error();
  if (!*account) co_return make_error(ErrorCode::not_found, "owner", "no such account");
  const bool client = (*account)->kind == PrincipalKind::client;
  if (client && scopes.empty())
    co_return make_error(ErrorCode::invalid_field, "scopes", "an integration client's token needs at least one scope");
  if (!client && !scopes.empty())
    co_return make_error(ErrorCode::invalid_field, "scopes", "a user's token acts with the user's roles; scopes are for integration clients");
  for (const auto& scope : scopes)
    if (!is_known_scope(scope)) co_return make_error(ErrorCode::invalid_field, "scopes", "unknown scope " + scope.substr(0, 64));
  if (name.size() > 100) co_return make_error(ErrorCode::invalid_field, "name", "at most 100 characters");
  IssuedSecret secret = issue_secret("t");
  json record{{"id", secret.id}, {"hash", secret_hash(secret.secret)}, {"owner", owner},
              {"scopes", scopes}, {"name", name}, {"now", ms(now)}};
  auto command = fcall("piket_auth_create_token",
            {keys::api_token(secret.id), keys::account(owner), keys::account_tokens(owner)}, {record.dump()});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return secret;
}

asio::awaitable<Result<Authenticated>> AccountStore::use_token(const std::string& token, TimePoint now) {
  auto parsed = parse_secret(token);
  if (!parsed) co_return make_error(ErrorCode::not_found, "token", "no such token");
  auto command = fcall("piket_auth_use_token", {keys::api_token(parsed->id)},
            {secret_hash(parsed->secret), ms(now), std::to_string(kTouchEvery.count()), keys::account("")});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  if (reply->elements.size() != 2) co_return make_error(ErrorCode::internal, "token", "unexpected reply");
  auto t = as_map(reply->elements[0]);
  Authenticated out;
  out.principal = principal_of(account_from(as_map(reply->elements[1])));
  out.principal.token = t["id"];
  if (out.principal.kind == PrincipalKind::client) out.principal.scopes = list_of(t["scopes"]);
  co_return out;
}

asio::awaitable<Status> AccountStore::revoke_token(const std::string& id) {
  auto command = fcall("piket_auth_revoke_token", {keys::api_token(id)}, {keys::account("")});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

asio::awaitable<Result<std::vector<TokenRecord>>> AccountStore::tokens(const std::string& owner) {
  std::vector<std::string> owners{owner};
  if (owner.empty()) {
    auto ids = co_await account_ids();
    if (!ids.ok()) co_return ids.error();
    owners = *ids;
  }
  std::vector<TokenRecord> out;
  for (const auto& o : owners) {
    auto members = co_await client_.command(redis::args("SMEMBERS", keys::account_tokens(o)));
    if (!members.ok()) co_return members.error();
    for (const auto& m : members->elements) {
      auto fields = co_await client_.command(redis::args("HGETALL", keys::api_token(m.text())));
      if (!fields.ok()) co_return fields.error();
      auto t = as_map(*fields);
      if (t.empty()) continue;
      TokenRecord r;
      r.id = t["id"];
      r.owner = t["owner"];
      r.name = t["name"];
      r.scopes = list_of(t["scopes"]);
      r.created_at = from_ms_text(t["created_at"]);
      if (t["last_used_at"] != "0" && !t["last_used_at"].empty()) r.last_used_at = from_ms_text(t["last_used_at"]);
      out.push_back(r);
    }
  }
  co_return out;
}

asio::awaitable<Result<std::optional<TimePoint>>> AccountStore::login_begin(const std::string& user,
                                                                            const std::string& address,
                                                                            TimePoint now,
                                                                            const LoginLimits& limits) {
  auto command = fcall(
      "piket_auth_login_begin",
      {keys::login_failures_of_account(user), keys::login_failures_of_address(address)},
      {ms(now), std::to_string(limits.account_max_failures), std::to_string(limits.address_max_failures),
       std::to_string(limits.lock_base.count()), std::to_string(limits.lock_max.count()),
       std::to_string(limits.forget.count())});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  const std::string until = reply->text();
  if (until.empty() || until == "0") co_return std::optional<TimePoint>{};
  co_return std::optional<TimePoint>{from_ms_text(until)};
}

asio::awaitable<Status> AccountStore::login_succeeded(const std::string& user, const std::string& address,
                                                      const LoginLimits& limits) {
  auto command = fcall("piket_auth_login_succeeded",
            {keys::login_failures_of_account(user), keys::login_failures_of_address(address)},
            {std::to_string(limits.address_max_failures)});
  auto reply = co_await client_.command(std::move(command));
  if (!reply.ok()) co_return reply.error();
  co_return ok_status();
}

}  // namespace piket::auth
