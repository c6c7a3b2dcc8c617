#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace gatescope::connector {
class ConnectorHost;
}

namespace gatescope::commands {

// Options of `gatescope ship`; see RegisterShip in apps/gatescope_main.cc. The connector itself
// is configured by GATESCOPE_* variables (docs/specs/connector.md), the same as in Lambda.
struct ShipOptions {
  std::string env_file;             // KEY=VALUE lines laid over the process environment.
  std::vector<std::string> inputs;  // Ship these files once ("-": stdin) instead of pulling.
  std::string har_file;             // With inputs: also write what was shipped as HAR 1.2.
  bool once = false;                // One pull run, then exit.
  bool replay = false;              // Send the spilled batches again, then exit.
  bool help_env = false;            // List the variables and exit.
  // Validate the environment (as the Lambda's init would: no network) and exit: prints `ok`
  // (exit 0) or the one-line problem on `err` (exit 2).
  bool check_env = false;
};

// Exit codes of `gatescope ship`.
inline constexpr int kShipExitOk = 0;
inline constexpr int kShipExitRunFailed = 1;  // Some events failed, or a group could not be read.
inline constexpr int kShipExitConfig = 2;     // One line on `err` names the variable.

// Reads a KEY=VALUE file in the deployment .env's syntax (deploy/dotenv.h: quotes, escapes,
// comments, `export`). kInvalidArgument names the file, line and problem.
Result<std::map<std::string, std::string>> ReadEnvFile(const std::string& path);

// Builds the connector from `env` with `env_file` laid over it (when not empty), validating
// every variable without touching the network. On a problem, prints one line
// "gatescope <command>: ..." on `err` and returns null (exit kShipExitConfig).
std::unique_ptr<connector::ConnectorHost> CreateConnectorHost(
    std::string_view command, const std::string& env_file,
    std::map<std::string, std::string> env, Clock& clock, std::ostream& err);

// Runs the connector as a long-running process: a pull run every GATESCOPE_INTERVAL_SECONDS
// until SIGTERM or SIGINT (the run in progress finishes and its checkpoints are saved; a second
// signal makes the sends in progress give up and spill), or once with --once, --input or
// --replay. Each run prints one summary line (JSON, CloudWatch embedded metric format) on `out`.
int RunShip(const ShipOptions& options, std::map<std::string, std::string> env, Clock& clock,
            std::ostream& out, std::ostream& err);

}  // namespace gatescope::commands
