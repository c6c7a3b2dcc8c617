#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/clock.h"

namespace gatescope::commands {

// Options of `gatescope discover`; see RegisterDiscover in apps/gatescope_main.cc.
struct DiscoverOptions {
  std::vector<std::string> inputs;              // Paths; "-" is stdin.
  std::string input_format = "auto";            // decoders::ParseInputFormat names.
  std::vector<std::string> access_log_formats;  // Files holding access-log format strings.
  std::string log_group;                        // For inputs that do not name their group.
  std::string openapi_file;
  std::string openapi_dir;
  std::string inventory_file;
  std::string transactions_file;  // NDJSON, one rebuilt transaction per line.
  bool progress = true;  // A progress line on stderr, for large inputs on a terminal only.
  // Execution-log assembly (parsers::apigw_execution::AssemblerOptions): log time to wait
  // after a request's last line, and the cap on requests held open at once.
  int64_t execution_grace_ms = 5000;
  int64_t execution_max_idle_ms = 300000;
  size_t max_open_requests = 10000;
  // Template inference and noise gating (inventory::ParseDiscoveryOptions's JSON); 0 keeps
  // the file's or the default minimum of requests.
  std::string discovery_config;
  uint64_t min_requests = 0;
};

// Exit codes of `gatescope discover`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInputError = 1;  // An input (or output) could not be read/written.
inline constexpr int kExitUsage = 2;

// Reads every input (all of them, even after one fails), builds the inventory, writes the
// requested outputs (a table on `out` when none is requested) and a summary of events read,
// parsed and dropped by reason on `err`. Returns one of the exit codes above; each failure is
// one line on `err` naming the input or setting.
int RunDiscover(const DiscoverOptions& options, const Clock& clock, std::ostream& out,
                std::ostream& err);

}  // namespace gatescope::commands
