// piket-admin: flags in, one command against Redis, out.
#include <iostream>

#include <CLI/CLI.hpp>

#include "admin/admin_commands.hpp"
#include "common/log.hpp"

int main(int argc, char** argv) {
  using piket::admin::Command;
  CLI::App app{"piket-admin: users, integration clients, API tokens and sessions"};
  app.require_subcommand(1);
  std::string config_file = "config/piket.toml";
  app.add_option("--config", config_file, "the deployment's piket.toml");
  Command c;
  bool password_stdin = false;
  auto id_option = [&](CLI::App* sub, const char* what, bool required = true) {
    auto* o = sub->add_option("--id", c.id, what);
    if (required) o->required();
  };
  auto* add_user = app.add_subcommand("add-user", "add a user with roles (the first administrator, too)");
  id_option(add_user, "the user id (also the sign-in name)");
  add_user->add_option("--role", c.roles, "operator, worker, team_lead, manager, admin, privacy_officer")->required();
  add_user->add_option("--worker", c.worker, "the worker id a worker user is");
  add_user->add_option("--team", c.teams, "a team a team lead leads");
  add_user->add_option("--region", c.regions, "a region a manager or operator serves (* = all)");
  add_user->add_flag("--password-stdin", password_stdin, "read the password from standard input (else one is generated and printed once)");
  add_user->add_flag("--if-missing", c.if_missing, "do nothing when the user exists");
  auto* add_client = app.add_subcommand("add-client", "add an integration client (it acts through tokens with scopes)");
  id_option(add_client, "the client id");
  add_client->add_flag("--if-missing", c.if_missing, "do nothing when the client exists");
  auto* reset = app.add_subcommand("reset-password", "set a new password and end the user's sessions");
  id_option(reset, "the user id");
  reset->add_flag("--password-stdin", password_stdin, "read the password from standard input (else one is generated and printed once)");
  auto* disable = app.add_subcommand("disable-user", "refuse the account's sign-ins, sessions and tokens");
  id_option(disable, "the user or client id");
  auto* enable = app.add_subcommand("enable-user", "allow a disabled account again");
  id_option(enable, "the user or client id");
  auto* add_token = app.add_subcommand("add-token", "issue an API token (printed once)");
  id_option(add_token, "the user or client the token acts for");
  add_token->add_option("--scope", c.scopes, "reports:create, oncall:read, metrics:read (clients only)");
  add_token->add_option("--name", c.name_label, "a label, e.g. \"police channel\"");
  auto* revoke_token = app.add_subcommand("revoke-token", "revoke an API token by its id");
  id_option(revoke_token, "the token id (t…)");
  auto* list_tokens = app.add_subcommand("list-tokens", "list API tokens (ids, owners, scopes, last use)");
  id_option(list_tokens, "only this user's or client's", false);
  app.add_subcommand("list-users", "list users and clients with their roles");
  auto* list_sessions = app.add_subcommand("list-sessions", "list signed-in sessions");
  id_option(list_sessions, "only this user's", false);
  auto* revoke_session = app.add_subcommand("revoke-session", "end a session by its id");
  id_option(revoke_session, "the session id (s…)");
  auto* enrol_totp = app.add_subcommand("enrol-totp", "give a user a second factor: prints the otpauth URI and recovery codes once");
  id_option(enrol_totp, "the user id");
  auto* reset_totp = app.add_subcommand("reset-totp", "take a user's second factor away (a lost phone); they enrol again");
  id_option(reset_totp, "the user id");
  CLI11_PARSE(app, argc, argv);
  c.name = app.get_subcommands().front()->get_name();
  if (password_stdin) {
    std::string line;
    std::getline(std::cin, line);
    c.password = line;
  }
  piket::PiketConfig config = piket::load_config_or_exit(config_file);
  piket::init_logging("warn");
  const auto clock = piket::make_daemon_clock();
  return piket::admin::run_command(config, *clock, c, std::cout, std::cerr);
}
