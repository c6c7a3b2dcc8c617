#include "commands/ship_command.h"

#include <fstream>

#include "commands/shutdown_signals.h"
#include "connector/connector_config.h"
#include "connector/lambda_handler.h"
#include "core/ascii.h"
#include "core/result.h"
#include "model/transaction_har.h"

namespace gatescope::commands {
namespace {

using Steady = std::chrono::steady_clock;

// A pull run reads for 60% of this and sends in the rest; a file run may be large.
constexpr std::chrono::minutes kRunBudget{5};
constexpr std::chrono::hours kFileRunBudget{6};

int Report(const connector::RunSummary& s, const Clock& clock, std::ostream& out,
           std::ostream& err) {
  out << connector::RunSummaryToEmf(s, "ship", UnixMillis(clock)) << '\n' << std::flush;
  if (!s.error.empty()) err << "gatescope ship: " << s.error << '\n';
  return s.error.empty() && s.events_failed == 0 ? kShipExitOk : kShipExitRunFailed;
}

}  // namespace

Result<std::map<std::string, std::string>> ReadEnvFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return InvalidArgumentError(path + ": cannot read");
  std::map<std::string, std::string> vars;
  std::string line;
  for (int n = 1; std::getline(f, line); ++n) {
    std::string_view l = TrimAsciiSpace(line);
    if (l.empty() || l.front() == '#') continue;
    if (l.substr(0, 7) == "export ") l = TrimAsciiSpace(l.substr(7));
    size_t eq = l.find('=');
    std::string_view key = eq == std::string_view::npos ? l : TrimAsciiSpace(l.substr(0, eq));
    bool valid_key = eq != std::string_view::npos && !key.empty();
    for (char c : key) {
      valid_key = valid_key && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '_');
    }
    if (!valid_key) {
      return InvalidArgumentError(path + ":" + std::to_string(n) + ": expected KEY=VALUE");
    }
    std::string_view value = TrimAsciiSpace(l.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    vars[std::string(key)] = std::string(value);
  }
  return vars;
}

int RunShip(const ShipOptions& options, std::map<std::string, std::string> env, Clock& clock,
            std::ostream& out, std::ostream& err) {
  if (options.help_env) {
    for (const auto& [name, help] : connector::ConnectorVariables()) {
      out << name << "\n    " << help << '\n';
    }
    return kShipExitOk;
  }
  if (!options.env_file.empty()) {
    Result<std::map<std::string, std::string>> file = ReadEnvFile(options.env_file);
    if (!file.ok()) {
      err << "gatescope ship: --env-file " << file.status().message() << '\n';
      return kShipExitConfig;
    }
    for (auto& [k, v] : *file) env[k] = v;
  }
  // Building the host reads and validates every variable (and the s3:// locations' need of a
  // region) without touching the network, exactly what the Lambda's init does.
  Result<std::unique_ptr<connector::ConnectorHost>> created =
      connector::ConnectorHost::Create(env, clock);
  if (!created.ok()) {
    err << "gatescope ship: " << created.status().message() << '\n';
    return kShipExitConfig;
  }
  if (options.check_env) {
    out << "ok\n";
    return kShipExitOk;
  }
  connector::ConnectorHost& host = **created;
  if (options.replay) return Report(host.Replay(clock.MonotonicNow() + kRunBudget), clock, out, err);
  if (!options.har_file.empty() && options.inputs.empty()) {
    err << "gatescope ship: --har needs --input\n";
    return kShipExitConfig;
  }
  if (!options.inputs.empty()) {
    std::vector<model::HttpTransaction> shipped;
    connector::RunSummary s = host.RunFiles(options.inputs, clock.MonotonicNow() + kFileRunBudget,
                                            options.har_file.empty() ? nullptr : &shipped);
    int code = Report(s, clock, out, err);
    if (!options.har_file.empty()) {
      std::ofstream har(options.har_file, std::ios::binary | std::ios::trunc);
      har << model::TransactionsToHar(shipped, "gatescope-connector");
      if (!har.flush()) {
        err << "gatescope ship: --har: cannot write " << options.har_file << '\n';
        return kShipExitRunFailed;
      }
    }
    return code;
  }
  if (host.config().checkpoint.empty()) {
    err << "gatescope ship: GATESCOPE_CHECKPOINT: required to pull (s3://bucket/prefix or a "
           "directory); or pass --input FILE to ship files\n";
    return kShipExitConfig;
  }
  // The first signal lets the run in progress finish; a second also stops its sends.
  ShutdownSignals signals([&host](int count) {
    if (count >= 2) host.Stop();
  });
  int code = kShipExitOk;
  while (!signals.stopping()) {
    Steady::time_point start = clock.MonotonicNow();
    auto budget = std::max<Steady::duration>(kRunBudget, host.config().interval);
    code = Report(host.RunPull(start + budget), clock, out, err);
    if (options.once) break;
    if (!signals.SleepUntil(start + host.config().interval)) break;
  }
  return code;
}

}  // namespace gatescope::commands
