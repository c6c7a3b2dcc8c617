#pragma once

#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "server/server_config.h"

namespace gatescope::commands {

// Exit codes of `gatescope serve` and `gatescope auth`.
inline constexpr int kServeExitOk = 0;
inline constexpr int kServeExitFailed = 1;  // The server stopped with an error.
inline constexpr int kServeExitConfig = 2;  // One line on `err` names the setting.

// Runs the inventory server until SIGTERM or SIGINT: then it stops accepting connections,
// finishes the requests in flight (every acknowledged batch is already durable), writes a
// snapshot and exits 0. `env` is checked for unknown GATESCOPE_SERVER_* names.
int RunServe(const server::ServerConfig& config, const std::map<std::string, std::string>& env,
             const Clock& clock, std::ostream& out, std::ostream& err);

// Options of `gatescope auth add-client`.
struct AddClientOptions {
  std::string id;
  std::vector<std::string> scopes;  // "inventory:read", "inventory:ingest"; both by default.
};
// Prints {"client": <object for the clients file>, "client_secret": "<shown once>"} on `out`.
int RunAddClient(const AddClientOptions& options, std::ostream& out, std::ostream& err);
// Reads a secret from `in` (first line) and prints its hash for the clients file.
int RunHashSecret(std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace gatescope::commands
