// Accounts, sessions, API tokens and sign-in limits in a real Redis (common/auth/auth.lua):
// what is kept (hashes, never secrets), when a session or token stops working, and how the
// lock-out counts and backs off. Times are passed in, so expiry is exact without waiting.
#include <boost/asio/io_context.hpp>
#include <catch.hpp>

#include "common/auth/account_store.hpp"
#include "common/keys.hpp"
#include "tests/support/process.hpp"
#include "tests/support/run_async.hpp"
#include "tests/support/test_clock.hpp"

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace auth = piket::auth;
using piket::test::run_async;

namespace {
struct Fixture {
  piket::test::RedisServer server;
  asio::io_context io;
  piket::redis::Client client{io, server.client_config(), "test"};
  auth::AccountStore store{client};
  piket::TimePoint t0 = piket::test::weekday_afternoon();

  Fixture() {
    client.on_connect([this] { return piket::redis::ensure_functions(client, piket::auth_library()); });
    client.start();
    REQUIRE(run_async(io, client.wait_connected(5s)));
  }
  ~Fixture() {
    client.stop();
    piket::test::run_for(io, 20ms);
  }
  void add_user(const std::string& id, std::vector<std::string> roles) {
    auth::Account a;
    a.id = id;
    a.roles = std::move(roles);
    a.regions = {"*"};
    a.password_hash = *auth::hash_password("correct-horse-battery-9", {1, 8192 * 1024});
    REQUIRE(run_async(io, store.put_account(a, "create", t0)).ok());
  }
};
}  // namespace

TEST_CASE("an account is stored once with its roles, and refused when it is not well formed",
          "[redis][auth]") {
  Fixture f;
  f.add_user("anna", {"operator"});
  auto stored = run_async(f.io, f.store.account("anna"));
  REQUIRE(stored.ok());
  REQUIRE(*stored);
  CHECK((*stored)->roles == std::vector<std::string>{"operator"});
  CHECK((*stored)->regions == std::vector<std::string>{"*"});
  CHECK((*stored)->password_hash.rfind("$argon2id$", 0) == 0);
  auth::Account again;
  again.id = "anna";
  again.roles = {"admin"};
  CHECK(run_async(f.io, f.store.put_account(again, "create", f.t0)).error().code == piket::ErrorCode::conflict);
  auth::Account worker;
  worker.id = "wim";
  worker.roles = {"worker"};  // without the worker id it stands for
  CHECK(run_async(f.io, f.store.put_account(worker, "create", f.t0)).error().field == "worker");
  worker.roles = {"wizard"};
  worker.worker = "w-em-01";
  CHECK(run_async(f.io, f.store.put_account(worker, "create", f.t0)).error().field == "roles");
}

TEST_CASE("a session works until it is idle too long or reaches its absolute end, and its secret is not in Redis",
          "[redis][auth]") {
  Fixture f;
  f.add_user("anna", {"operator"});
  const auth::SessionLimits limits{30min, 12h};
  auto made = run_async(f.io, f.store.create_session("anna", f.t0, limits, ""));
  REQUIRE(made.ok());
  const std::string secret = made->cookie.substr(made->cookie.find('.') + 1);
  CHECK(f.server.cli("HGETALL " + piket::keys::session(made->record.id)).find(secret) == std::string::npos);

  auto used = run_async(f.io, f.store.use_session(made->cookie, f.t0 + 20min, limits));
  REQUIRE(used.ok());
  CHECK(used->principal.id == "anna");
  CHECK(used->principal.session == made->record.id);
  CHECK(used->csrf == made->csrf);
  // A wrong secret with the right id is no session.
  const std::string forged = made->record.id + "." + std::string(40, 'a');
  CHECK(run_async(f.io, f.store.use_session(forged, f.t0 + 21min, limits)).error().code == piket::ErrorCode::not_found);
  // Used at +20 min, so still alive at +49 min; idle from then on, gone at +80 min.
  CHECK(run_async(f.io, f.store.use_session(made->cookie, f.t0 + 49min, limits)).ok());
  CHECK_FALSE(run_async(f.io, f.store.use_session(made->cookie, f.t0 + 80min, limits)).ok());
  CHECK(f.server.cli("EXISTS " + piket::keys::session(made->record.id)).rfind("0", 0) == 0);

  // However busy, a session ends at its absolute limit.
  auto busy = run_async(f.io, f.store.create_session("anna", f.t0, limits, ""));
  for (auto at = f.t0; at < f.t0 + 12h; at += 20min) REQUIRE(run_async(f.io, f.store.use_session(busy->cookie, at, limits)).ok());
  CHECK_FALSE(run_async(f.io, f.store.use_session(busy->cookie, f.t0 + 12h, limits)).ok());
}

TEST_CASE("a new sign-in replaces the browser's old session, and a new password ends them all",
          "[redis][auth]") {
  Fixture f;
  f.add_user("anna", {"operator"});
  const auth::SessionLimits limits;
  auto first = run_async(f.io, f.store.create_session("anna", f.t0, limits, ""));
  auto second = run_async(f.io, f.store.create_session("anna", f.t0, limits, first->record.id));
  CHECK(second->record.id != first->record.id);
  CHECK_FALSE(run_async(f.io, f.store.use_session(first->cookie, f.t0, limits)).ok());
  auto other_browser = run_async(f.io, f.store.create_session("anna", f.t0, limits, ""));
  CHECK(run_async(f.io, f.store.sessions("anna"))->size() == 2);
  CHECK(*run_async(f.io, f.store.set_password("anna", "$argon2id$new", f.t0)) == 2);
  CHECK_FALSE(run_async(f.io, f.store.use_session(second->cookie, f.t0, limits)).ok());
  CHECK_FALSE(run_async(f.io, f.store.use_session(other_browser->cookie, f.t0, limits)).ok());
  CHECK(run_async(f.io, f.store.sessions(""))->empty());
}

TEST_CASE("an API token acts for its account, records its last use, and stops at once when revoked",
          "[redis][auth]") {
  Fixture f;
  f.add_user("anna", {"operator"});
  auth::Account police;
  police.id = "police-channel";
  police.kind = auth::PrincipalKind::client;
  REQUIRE(run_async(f.io, f.store.put_account(police, "create", f.t0)).ok());
  // A client's token needs known scopes; a user's acts with the user's roles.
  CHECK(run_async(f.io, f.store.create_token("police-channel", {}, "", f.t0)).error().field == "scopes");
  CHECK(run_async(f.io, f.store.create_token("police-channel", {"reports:delete"}, "", f.t0)).error().field == "scopes");
  CHECK(run_async(f.io, f.store.create_token("anna", {"reports:create"}, "", f.t0)).error().field == "scopes");
  auto token = run_async(f.io, f.store.create_token("police-channel", {"reports:create"}, "police", f.t0));
  REQUIRE(token.ok());
  CHECK(f.server.cli("HGETALL " + piket::keys::api_token(token->id)).find(token->secret) == std::string::npos);
  auto used = run_async(f.io, f.store.use_token(token->text(), f.t0 + 1h));
  REQUIRE(used.ok());
  CHECK(used->principal.kind == auth::PrincipalKind::client);
  CHECK(used->principal.scopes == std::vector<std::string>{"reports:create"});
  CHECK(used->principal.roles.empty());
  CHECK(used->principal.token == token->id);
  auto listed = run_async(f.io, f.store.tokens("police-channel"));
  REQUIRE(listed->size() == 1);
  REQUIRE((*listed)[0].last_used_at);
  CHECK(*(*listed)[0].last_used_at == f.t0 + 1h);

  auto user_token = run_async(f.io, f.store.create_token("anna", {}, "", f.t0));
  CHECK(run_async(f.io, f.store.use_token(user_token->text(), f.t0))->principal.roles == std::vector<std::string>{"operator"});
  REQUIRE(run_async(f.io, f.store.revoke_token(token->id)).ok());
  CHECK(run_async(f.io, f.store.use_token(token->text(), f.t0 + 2h)).error().code == piket::ErrorCode::not_found);
  CHECK(run_async(f.io, f.store.tokens(""))->size() == 1);
  // A disabled account's tokens stop too.
  REQUIRE(run_async(f.io, f.store.set_disabled("anna", true, f.t0)).ok());
  CHECK_FALSE(run_async(f.io, f.store.use_token(user_token->text(), f.t0)).ok());
}

TEST_CASE("failed sign-ins lock the account after the limit, each further failure for twice as long, "
          "and a success clears it",
          "[redis][auth]") {
  Fixture f;
  auth::LoginLimits limits;
  limits.account_max_failures = 3;
  limits.address_max_failures = 100;
  limits.lock_base = 30s;
  limits.lock_max = 10min;
  auto begin = [&](piket::TimePoint at, const std::string& address = "192.0.2.1") {
    return *run_async(f.io, f.store.login_begin("anna", address, at, limits));
  };
  CHECK_FALSE(begin(f.t0));
  CHECK_FALSE(begin(f.t0 + 1s));
  CHECK_FALSE(begin(f.t0 + 2s));  // the third counts, then the account is locked for 30 s
  auto locked = begin(f.t0 + 3s);
  REQUIRE(locked);
  CHECK(*locked == f.t0 + 2s + 30s);
  CHECK(begin(f.t0 + 20s, "198.51.100.9"));  // from another address too: it is the account's lock
  CHECK_FALSE(begin(f.t0 + 33s));             // over: one more try, which locks for 60 s
  auto longer = begin(f.t0 + 40s);
  REQUIRE(longer);
  CHECK(*longer == f.t0 + 33s + 60s);
  REQUIRE(run_async(f.io, f.store.login_succeeded("anna", "192.0.2.1", limits)).ok());
  CHECK_FALSE(begin(f.t0 + 41s));

  // Per address: many names from one address lock that address.
  limits.address_max_failures = 4;
  for (int i = 0; i < 4; ++i)
    CHECK_FALSE(*run_async(f.io, f.store.login_begin("name-" + std::to_string(i), "203.0.113.5", f.t0, limits)));
  CHECK(*run_async(f.io, f.store.login_begin("name-9", "203.0.113.5", f.t0 + 1s, limits)));
  CHECK_FALSE(*run_async(f.io, f.store.login_begin("name-9", "203.0.113.6", f.t0 + 1s, limits)));
}
