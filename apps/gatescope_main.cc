// The gatescope binary: one executable, one subcommand per job. Installed as `bootstrap` (or
// run as `gatescope lambda`) it is the connector's Lambda custom runtime. Later issues add
// `serve` and `config check` here.
#include <CLI/CLI.hpp>
#include <cstring>
#include <iostream>

#include "aws/aws_environment.h"
#include "commands/apis_command.h"
#include "commands/config_command.h"
#include "commands/discover_command.h"
#include "commands/refresh_command.h"
#include "commands/serve_command.h"
#include "commands/ship_command.h"
#include "connector/lambda_handler.h"
#include "env/process_environment.h"
#include "core/clock.h"
#include "core/logging.h"
#include "server/server_config.h"

namespace {

void RegisterDiscover(CLI::App& app, gatescope::commands::DiscoverOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "discover", "Build an API inventory (and OpenAPI 3.1) from API Gateway access and execution logs.");
  cmd->add_option("inputs", o.inputs,
                  "Log files: text (one event per line, optionally '<ISO-8601> <message>'), "
                  "`aws logs filter-log-events`/`get-log-events` JSON, subscription payloads "
                  "or Lambda events; gzip is detected. '-' reads stdin.")
      ->required();
  cmd->add_option("--input-format", o.input_format,
                  "auto (default), text, or json (filter-log-events, get-log-events, "
                  "subscription and lambda-event are accepted as names for json)");
  cmd->add_option("--access-log-format", o.access_log_formats,
                  "File holding an access-log format as set on the stage (JSON, CLF, CSV, XML or "
                  "custom); overrides the default field mapping. Repeatable.");
  cmd->add_option("--log-group", o.log_group,
                  "Log group name for inputs that do not carry one (gives API id and stage)");
  cmd->add_option("--openapi", o.openapi_file, "Write one OpenAPI 3.1 document to FILE");
  cmd->add_option("--openapi-dir", o.openapi_dir, "Write one OpenAPI 3.1 document per API to DIR");
  cmd->add_option("--inventory", o.inventory_file, "Write the inventory as JSON to FILE");
  cmd->add_option("--transactions", o.transactions_file,
                  "Write every request as rebuilt (joined, with headers and bodies; credential "
                  "headers redacted) to FILE, one JSON object per line");
  cmd->add_flag("!--no-progress", o.progress, "Never draw the progress line");
  cmd->add_option("--exec-grace-ms", o.execution_grace_ms,
                  "Execution logs: log time (ms) to wait for a request's lines after "
                  "'Method completed with status' (default 5000)")
      ->check(CLI::Range(int64_t{0}, int64_t{86400000}));
  cmd->add_option("--exec-max-idle-ms", o.execution_max_idle_ms,
                  "Execution logs: log time (ms) after which a request with no new line is "
                  "closed as partial (default 300000)")
      ->check(CLI::Range(int64_t{1}, int64_t{86400000}));
  cmd->add_option("--discovery-config", o.discovery_config,
                  "Template-inference thresholds and hints (JSON; see docs/specs/discovery.md)");
  cmd->add_option("--min-requests", o.min_requests,
                  "Requests an endpoint needs, when its template was not logged, to be listed");
  cmd->add_option("--max-open-requests", o.max_open_requests,
                  "Execution logs: requests held open at once; the oldest is closed beyond it "
                  "(default 10000)")
      ->check(CLI::Range(size_t{1}, size_t{10000000}));
}

}  // namespace

void RegisterApis(CLI::App& app, gatescope::commands::ApisOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "apis", "List every REST, HTTP and WebSocket API and stage in AWS with its logging state.");
  cmd->add_option("--region", o.regions,
                  "Region to scan (repeatable); 'all' for every enabled region. Default: "
                  "AWS_REGION, AWS_DEFAULT_REGION or the profile's region");
  cmd->add_option("--json", o.json_file, "Write the report as JSON to this file ('-': stdout)");
  cmd->add_flag("!--no-data-trace", o.require_data_trace,
                "Do not count REST stages without data trace as needing enabling");
  cmd->add_option("--requests-per-second", o.requests_per_second,
                  "API Gateway calls per second per region (default 4)");
}

void RegisterShip(CLI::App& app, gatescope::commands::ShipOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "ship", "Run the connector as a process: pull API Gateway logs from CloudWatch Logs on a "
              "schedule (or ship files) and deliver them to the collector. Configured by "
              "GATESCOPE_* variables, as in Lambda (--help-env lists them).");
  cmd->add_option("--env-file", o.env_file, "KEY=VALUE file laid over the environment");
  cmd->add_option("--input", o.inputs, "Ship these log files once instead of pulling ('-': stdin)");
  cmd->add_option("--har", o.har_file,
                  "With --input: also write the shipped transactions (redacted) as HAR 1.2");
  cmd->add_flag("--once", o.once, "One pull run, then exit");
  cmd->add_flag("--replay", o.replay, "Send the spilled batches again, then exit");
  cmd->add_flag("--help-env", o.help_env, "List the GATESCOPE_* variables and exit");
  cmd->add_flag("--check-env", o.check_env,
                "Validate the GATESCOPE_* environment without running: prints ok (exit 0) or "
                "the problem (exit 2)");
}

void RegisterRefresh(CLI::App& app, gatescope::commands::RefreshCommandOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "refresh", "One connector refresh: discover the API stages in scope, turn on the logging "
                 "the GATESCOPE_* variables ask for, create log groups, and (push) subscribe them "
                 "to the connector function. Idempotent; prints one summary line.");
  cmd->add_option("--env-file", o.env_file, "KEY=VALUE file laid over the environment");
  cmd->add_option("--function-arn", o.function_arn,
                  "The connector's Lambda function ARN (the subscriptions' destination); "
                  "required with GATESCOPE_COLLECTION=push");
}

void RegisterServe(CLI::App& app, gatescope::server::ServerConfig& c) {
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run the inventory server: the connectors' ingest API, the inventory API, "
               "OpenAPI export and metrics (docs/specs/server.md). Each flag also reads the "
               "environment variable shown.");
  auto env = [](CLI::Option* o) {
    return o->envname(gatescope::server::ServerSettingEnv(o->get_name()));
  };
  env(cmd->add_option("--listen", c.listen, "HOST:PORT to listen on (port 0: any free port)")
          ->capture_default_str());
  env(cmd->add_option("--store", c.store,
                      "Inventory store: sqlite:PATH (embedded, the default) or postgresql://...")
          ->capture_default_str());
  env(cmd->add_option("--clients", c.clients_file,
                      "OAuth2 clients file (JSON; see `gatescope auth add-client`)"));
  env(cmd->add_flag("--no-auth", c.no_auth,
                    "Serve without authentication (anyone who can connect may read and write)"));
  env(cmd->add_option("--tls-cert", c.tls_cert_file, "PEM certificate chain: serve HTTPS"));
  env(cmd->add_option("--tls-key", c.tls_key_file, "PEM private key for --tls-cert"));
  env(cmd->add_option("--token-lifetime", c.token_lifetime_s, "Access token lifetime, seconds")
          ->check(CLI::Range(60, 86400))->capture_default_str());
  env(cmd->add_option("--max-request-bytes", c.max_request_bytes,
                      "Largest request body on the wire (413 beyond)")
          ->check(CLI::Range(uint64_t{1024}, uint64_t{1} << 30))->capture_default_str());
  env(cmd->add_option("--max-decoded-bytes", c.max_decoded_bytes,
                      "Largest request body after gunzip (413 beyond)")
          ->check(CLI::Range(uint64_t{1024}, uint64_t{4} << 30))->capture_default_str());
  env(cmd->add_option("--dedupe-window-hours", c.dedupe_window_hours,
                      "How long batch keys and transaction ids are remembered")
          ->check(CLI::Range(1, 24 * 366))->capture_default_str());
  env(cmd->add_option("--threads", c.threads, "HTTP worker threads")
          ->check(CLI::Range(1, 256))->capture_default_str());
  env(cmd->add_option("--compact-every", c.compact_every_deltas,
                      "Write a snapshot after this many stored deltas")
          ->check(CLI::Range(int64_t{1}, int64_t{1000000}))->capture_default_str());
  env(cmd->add_option("--compact-interval", c.compact_interval_s,
                      "...or after this many seconds with any")
          ->check(CLI::Range(1, 86400))->capture_default_str());
  env(cmd->add_option("--poll-interval-ms", c.poll_interval_ms,
                      "How often to merge deltas other servers stored")
          ->check(CLI::Range(10, 600000))->capture_default_str());
  env(cmd->add_option("--render-interval-ms", c.render_interval_ms,
                      "Readers see an inventory at most this old")
          ->check(CLI::Range(0, 600000))->capture_default_str());
  env(cmd->add_option("--discovery-config", c.discovery_config,
                      "Template inference and noise gating options (JSON, as for discover)"));
  env(cmd->add_option("--min-requests", c.min_requests,
                      "Requests before an inferred endpoint is listed (overrides the file)"));
  env(cmd->add_option("--port-file", c.port_file, "Write the bound port to this file"));
  env(cmd->add_option("--dashboard-dir", c.dashboard_dir,
                      "Serve the dashboard from this build output (web/dist) instead of the "
                      "copy built into the binary"));
}

void RegisterAuth(CLI::App& app, gatescope::commands::AddClientOptions& o) {
  CLI::App* cmd = app.add_subcommand("auth", "Manage the inventory server's OAuth2 clients.");
  cmd->require_subcommand(1);
  CLI::App* add = cmd->add_subcommand(
      "add-client", "Create a client: prints its clients-file entry and its secret (shown once).");
  add->add_option("--id", o.id, "Client id")->required();
  add->add_option("--scope", o.scopes,
                  "inventory:read and/or inventory:ingest (repeatable; default both)");
  cmd->add_subcommand("hash-secret", "Hash a secret read from stdin for the clients file.");
}

void RegisterConfig(CLI::App& app, gatescope::commands::ConfigCheckOptions& o) {
  CLI::App* cmd = app.add_subcommand("config", "Deployment settings (docs/specs/deployment.md).");
  cmd->require_subcommand(1);
  CLI::App* check = cmd->add_subcommand(
      "check", "Check a deployment .env offline (exit 0 clean, 2 with problems, 1 when the "
               "--aws check could not run) and print it normalised.");
  check->add_option("--env", o.env_file, "The deployment settings file")->capture_default_str();
  check->add_option("--format", o.format, "text, shell (for bash eval) or json")
      ->check(CLI::IsMember({"text", "shell", "json"}))
      ->capture_default_str();
  check->add_flag("--aws", o.aws,
                  "Then check the regions against the account's enabled regions (EC2 "
                  "DescribeRegions) and resolve GATESCOPE_REGIONS=all");
}

// True when this process is the Lambda runtime: the executable is named `bootstrap` (the
// provided.al2023 entry point) or the first argument is `lambda`. Decided before any parsing,
// so that the first Runtime API request goes out as early as possible.
bool IsLambdaRuntime(int argc, char** argv) {
  const char* name = std::strrchr(argv[0], '/');
  name = name == nullptr ? argv[0] : name + 1;
  return std::strcmp(name, "bootstrap") == 0 || (argc > 1 && std::strcmp(argv[1], "lambda") == 0);
}

int main(int argc, char** argv) {
  if (IsLambdaRuntime(argc, argv)) {
    return gatescope::connector::RunLambdaRuntime(gatescope::env::ProcessEnvironment(),
                                                  gatescope::SystemClock::Get());
  }
  CLI::App app{"gatescope: a live, accurate API inventory from Amazon API Gateway logs"};
  app.require_subcommand(1);
  std::string log_level;
  app.add_option("--log-level", log_level,
                 "error, warning, info (default), debug or trace; or set GATESCOPE_LOG_LEVEL");
  gatescope::commands::DiscoverOptions discover;
  RegisterDiscover(app, discover);
  gatescope::commands::ApisOptions apis;
  RegisterApis(app, apis);
  gatescope::commands::ShipOptions ship;
  RegisterShip(app, ship);
  gatescope::commands::RefreshCommandOptions refresh;
  RegisterRefresh(app, refresh);
  gatescope::server::ServerConfig serve;
  RegisterServe(app, serve);
  gatescope::commands::AddClientOptions add_client;
  RegisterAuth(app, add_client);
  gatescope::commands::ConfigCheckOptions config_check;
  RegisterConfig(app, config_check);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : gatescope::commands::kExitUsage;
  }
  if (gatescope::Status s = gatescope::ConfigureLogLevel(log_level); !s.ok()) {
    std::cerr << "gatescope: " << s.message() << '\n';
    return gatescope::commands::kExitUsage;
  }
  if (app.got_subcommand("discover")) {
    return gatescope::commands::RunDiscover(discover, gatescope::SystemClock::Get(), std::cout,
                                            std::cerr);
  }
  if (app.got_subcommand("apis")) {
    return gatescope::commands::RunApis(apis, gatescope::aws::AwsEnvironment::FromProcess(),
                                        gatescope::SystemClock::Get(), std::cout, std::cerr);
  }
  if (app.got_subcommand("ship")) {
    return gatescope::commands::RunShip(ship, gatescope::env::ProcessEnvironment(),
                                        gatescope::SystemClock::Get(), std::cout, std::cerr);
  }
  if (app.got_subcommand("refresh")) {
    return gatescope::commands::RunRefreshCommand(refresh, gatescope::env::ProcessEnvironment(),
                                                  gatescope::SystemClock::Get(), std::cout,
                                                  std::cerr);
  }
  if (app.got_subcommand("serve")) {
    return gatescope::commands::RunServe(serve, gatescope::env::ProcessEnvironment(),
                                         gatescope::SystemClock::Get(), std::cout, std::cerr);
  }
  if (app.got_subcommand("config")) {
    return gatescope::commands::RunConfigCheck(config_check,
                                               gatescope::aws::AwsEnvironment::FromProcess(),
                                               gatescope::SystemClock::Get(), std::cout, std::cerr);
  }
  if (CLI::App* auth = app.get_subcommand("auth"); auth->parsed()) {
    if (auth->got_subcommand("add-client")) {
      return gatescope::commands::RunAddClient(add_client, std::cout, std::cerr);
    }
    return gatescope::commands::RunHashSecret(std::cin, std::cout, std::cerr);
  }
  return gatescope::commands::kExitUsage;
}
