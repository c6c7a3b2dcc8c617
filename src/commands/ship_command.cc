#include "commands/ship_command.h"

#include <fstream>

#include "commands/shutdown_signals.h"
#include "connector/connector_config.h"
#include "connector/lambda_handler.h"
#include "core/ascii.h"
#include "core/result.h"
#include "deploy/dotenv.h"
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
  std::ifstream f(path, std::ios::binary);
  if (!f) return InvalidArgumentError(path + ": cannot read");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // One .env syntax for the connector and the deployment (docs/specs/deployment.md).
  deploy::DotenvFile file = deploy::ParseDotenv(text);
  for (const deploy::Problem& p : file.problems) {
    if (!p.warning) return InvalidArgumentError(deploy::FormatProblem(path, p));
  }
  std::map<std::string, std::string> vars;
  for (deploy::DotenvEntry& e : file.entries) vars[std::move(e.key)] = std::move(e.value);
  return vars;
}

std::unique_ptr<connector::ConnectorHost> CreateConnectorHost(
    std::string_view command, const std::string& env_file,
    std::map<std::string, std::string> env, Clock& clock, std::ostream& err) {
  if (!env_file.empty()) {
    Result<std::map<std::string, std::string>> file = ReadEnvFile(env_file);
    if (!file.ok()) {
      err << "gatescope " << command << ": --env-file " << file.status().message() << '\n';
      return nullptr;
    }
    for (auto& [k, v] : *file) env[k] = v;
  }
  // Building the host reads and validates every variable (and the s3:// locations' need of a
  // region) without touching the network, exactly what the Lambda's init does.
  Result<std::unique_ptr<connector::ConnectorHost>> host =
      connector::ConnectorHost::Create(env, clock);
  if (!host.ok()) {
    err << "gatescope " << command << ": " << host.status().message() << '\n';
    return nullptr;
  }
  return std::move(*host);
}

int RunShip(const ShipOptions& options, std::map<std::string, std::string> env, Clock& clock,
            std::ostream& out, std::ostream& err) {
  if (options.help_env) {
    for (const auto& [name, help] : connector::ConnectorVariables()) {
      out << name << "\n    " << help << '\n';
    }
    return kShipExitOk;
  }
  std::unique_ptr<connector::ConnectorHost> created =
      CreateConnectorHost("ship", options.env_file, std::move(env), clock, err);
  if (created == nullptr) return kShipExitConfig;
  if (options.check_env) {
    out << "ok\n";
    return kShipExitOk;
  }
  connector::ConnectorHost& host = *created;
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
