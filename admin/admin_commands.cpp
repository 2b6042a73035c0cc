#include "admin/admin_commands.hpp"

#include <ostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "common/auth/access.hpp"
#include "common/auth/account_store.hpp"
#include "common/auth/credentials.hpp"
#include "common/auth/totp.hpp"
#include "common/envelope.hpp"

namespace piket::admin {
namespace asio = boost::asio;

namespace {
std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& item : list) out += (out.empty() ? "" : ",") + item;
  return out.empty() ? "-" : out;
}

// A generated password: 24 characters of the id alphabet (about 119 bits), past every policy.
std::string generated_password() { return auth::issue_secret("").secret.substr(0, 24); }

asio::awaitable<int> run(auth::AccountStore& store, const PiketConfig& config, const Clock& clock,
                         const Command& c, std::ostream& out, std::ostream& err) {
  const TimePoint now = clock.now();
  auto fail = [&](const Error& e) {
    err << "piket-admin " << c.name << ": " << e.to_string() << "\n";
    return 1;
  };
  const auth::PasswordCost cost{static_cast<std::uint64_t>(config.auth.password_opslimit),
                                static_cast<std::size_t>(config.auth.password_memlimit_kib) * 1024};
  const auth::PasswordPolicy policy{static_cast<std::size_t>(config.auth.password_min_length)};

  if (c.name == "add-user" || c.name == "add-client") {
    auth::Account a;
    a.id = c.id;
    a.kind = c.name == "add-client" ? auth::PrincipalKind::client : auth::PrincipalKind::user;
    a.roles = c.roles;
    a.worker = c.worker;
    a.teams = c.teams;
    a.regions = c.regions;
    if (auto problem = auth::account_problem(a)) co_return fail(*problem);
    auto existing = co_await store.account(a.id);
    if (!existing.ok()) co_return fail(existing.error());
    if (*existing && c.if_missing) {
      out << "exists: " << a.id << " (unchanged)\n";
      co_return 0;
    }
    std::string password;
    if (a.kind == auth::PrincipalKind::user) {
      password = c.password ? *c.password : generated_password();
      if (auto problem = auth::password_problem(password, a.id, policy))
        co_return fail(make_error(ErrorCode::invalid_field, "password", *problem));
      auto hash = auth::hash_password(password, cost);
      if (!hash.ok()) co_return fail(hash.error());
      a.password_hash = *hash;
    }
    if (auto stored = co_await store.put_account(a, "create", now); !stored.ok()) co_return fail(stored.error());
    out << "added: " << a.id << " kind=" << auth::kind_name(a.kind) << " roles=" << joined(a.roles)
        << " worker=" << (a.worker.empty() ? "-" : a.worker) << " teams=" << joined(a.teams)
        << " regions=" << joined(a.regions) << "\n";
    if (a.kind == auth::PrincipalKind::user && !c.password) out << "password: " << password << "\n";
    co_return 0;
  }
  if (c.name == "reset-password") {
    const std::string password = c.password ? *c.password : generated_password();
    if (auto problem = auth::password_problem(password, c.id, policy))
      co_return fail(make_error(ErrorCode::invalid_field, "password", *problem));
    auto account = co_await store.account(c.id);
    if (!account.ok()) co_return fail(account.error());
    if (!*account || (*account)->kind != auth::PrincipalKind::user)
      co_return fail(make_error(ErrorCode::not_found, "id", "no such user"));
    auto hash = auth::hash_password(password, cost);
    if (!hash.ok()) co_return fail(hash.error());
    auto ended = co_await store.set_password(c.id, *hash, now);
    if (!ended.ok()) co_return fail(ended.error());
    out << "password reset: " << c.id << " sessions_ended=" << *ended << "\n";
    if (!c.password) out << "password: " << password << "\n";
    co_return 0;
  }
  if (c.name == "disable-user" || c.name == "enable-user") {
    auto ended = co_await store.set_disabled(c.id, c.name == "disable-user", now);
    if (!ended.ok()) co_return fail(ended.error());
    out << (c.name == "disable-user" ? "disabled: " : "enabled: ") << c.id << " sessions_ended=" << *ended << "\n";
    co_return 0;
  }
  if (c.name == "add-token") {
    auto token = co_await store.create_token(c.id, c.scopes, c.name_label, now);
    if (!token.ok()) co_return fail(token.error());
    out << "token id: " << token->id << " for=" << c.id << " scopes=" << joined(c.scopes) << "\n";
    out << "token: " << token->text() << "\n";
    co_return 0;
  }
  if (c.name == "revoke-token") {
    if (auto revoked = co_await store.revoke_token(c.id); !revoked.ok()) co_return fail(revoked.error());
    out << "revoked: " << c.id << "\n";
    co_return 0;
  }
  if (c.name == "list-tokens") {
    auto tokens = co_await store.tokens(c.id);
    if (!tokens.ok()) co_return fail(tokens.error());
    for (const auto& t : *tokens)
      out << t.id << " for=" << t.owner << " scopes=" << joined(t.scopes) << " created=" << format_utc(t.created_at)
          << " last_used=" << (t.last_used_at ? format_utc(*t.last_used_at) : std::string("never"))
          << (t.name.empty() ? "" : " name=\"" + t.name + "\"") << "\n";
    co_return 0;
  }
  if (c.name == "list-users") {
    auto ids = co_await store.account_ids();
    if (!ids.ok()) co_return fail(ids.error());
    for (const auto& id : *ids) {
      auto a = co_await store.account(id);
      if (!a.ok()) co_return fail(a.error());
      if (!*a) continue;
      out << id << " kind=" << auth::kind_name((*a)->kind) << " roles=" << joined((*a)->roles)
          << " worker=" << ((*a)->worker.empty() ? "-" : (*a)->worker) << " teams=" << joined((*a)->teams)
          << " regions=" << joined((*a)->regions) << ((*a)->disabled ? " disabled" : "") << "\n";
    }
    co_return 0;
  }
  if (c.name == "list-sessions") {
    auto sessions = co_await store.sessions(c.id);
    if (!sessions.ok()) co_return fail(sessions.error());
    for (const auto& s : *sessions)
      out << s.id << " user=" << s.user << " created=" << format_utc(s.created_at)
          << " last_seen=" << format_utc(s.last_seen) << " expires=" << format_utc(s.expires_at) << "\n";
    co_return 0;
  }
  if (c.name == "revoke-session") {
    if (auto ended = co_await store.end_session(c.id); !ended.ok()) co_return fail(ended.error());
    out << "session ended: " << c.id << "\n";
    co_return 0;
  }
  if (c.name == "enrol-totp" || c.name == "reset-totp") {
    auto account = co_await store.account(c.id);
    if (!account.ok()) co_return fail(account.error());
    if (!*account || (*account)->kind != auth::PrincipalKind::user)
      co_return fail(make_error(ErrorCode::not_found, "id", "no such user"));
    if (c.name == "reset-totp") {
      if (auto done = co_await store.set_totp(c.id, "", {}, now); !done.ok()) co_return fail(done.error());
      out << "second factor removed: " << c.id << "\n";
      co_return 0;
    }
    const std::string secret = auth::new_totp_secret();
    const auto codes = auth::new_recovery_codes();
    std::vector<std::string> hashes;
    for (const auto& code : codes) hashes.push_back(auth::recovery_code_hash(code));
    if (auto done = co_await store.set_totp(c.id, secret, hashes, now); !done.ok()) co_return fail(done.error());
    out << "second factor enrolled: " << c.id << "\n"
        << "otpauth: " << auth::otpauth_uri(c.id, secret) << "\n"
        << "secret: " << secret << "\n";
    for (const auto& code : codes) out << "recovery code: " << code << "\n";
    co_return 0;
  }
  co_return fail(make_error(ErrorCode::invalid_field, "command", "unknown command " + c.name));
}
}  // namespace

int run_command(const PiketConfig& config, const Clock& clock, const Command& command,
                std::ostream& out, std::ostream& err) {
  asio::io_context io;
  redis::Client client{io, config.redis, "admin"};
  client.on_connect([&client]() { return redis::ensure_functions(client, auth_library()); });
  auth::AccountStore store{client};
  int code = 1;
  client.start();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        if (!co_await client.wait_connected(std::chrono::milliseconds(config.redis.connect_timeout_ms * 5))) {
          err << "piket-admin: Redis at " << config.redis.host << ":" << config.redis.port << " is not reachable\n";
        } else {
          code = co_await run(store, config, clock, command, out, err);
        }
        client.stop();
      },
      [](std::exception_ptr failure) {
        if (failure) std::rethrow_exception(failure);
      });
  io.run();
  return code;
}

}  // namespace piket::admin
