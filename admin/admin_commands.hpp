#pragma once
// piket-admin's commands: the first administrator, users and integration clients, API tokens
// and sessions, straight in Redis (the gateway reads the same keys). Each command prints what it
// did; a new password or token is printed once and stored only as a hash.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/config.hpp"

namespace piket::admin {

struct Command {
  std::string name;  // add-user, add-client, reset-password, disable-user, enable-user,
                     // add-token, revoke-token, list-tokens, list-users, list-sessions,
                     // revoke-session, enrol-totp, reset-totp
  std::string id;    // the user, client, token or session
  std::vector<std::string> roles, teams, regions, scopes;
  std::string worker;
  std::string name_label;  // a token's label
  std::optional<std::string> password;  // from stdin; generated when absent
  bool if_missing = false;              // add-user/add-client: an existing id is not an error
};

// Runs one command against the configured Redis; output to `out`, problems to `err`.
// Returns the exit code (0 done, 1 refused or failed).
int run_command(const PiketConfig& config, const Clock& clock, const Command& command,
                std::ostream& out, std::ostream& err);

}  // namespace piket::admin
