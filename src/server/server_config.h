#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inventory/discovery_options.h"

namespace gatescope::server {

// `gatescope serve` settings: command-line flags, each with a GATESCOPE_SERVER_* variable as
// its default (docs/specs/server.md lists them). Ranges are checked by the command line.
struct ServerConfig {
  std::string listen = "127.0.0.1:8080";      // host:port; port 0 picks a free one.
  std::string store = "sqlite:gatescope.db";  // storage::OpenStore URL.
  std::string clients_file;                   // auth::ClientRegistry JSON; required with auth.
  bool no_auth = false;                       // Must be asked for; logged loudly.
  std::string tls_cert_file;                  // PEM; with tls_key_file, serve HTTPS.
  std::string tls_key_file;
  int64_t token_lifetime_s = 3600;
  uint64_t max_request_bytes = 8u << 20;      // On the wire: 413 beyond.
  uint64_t max_decoded_bytes = 128u << 20;    // After gunzip: 413 beyond (gzip bombs).
  int64_t dedupe_window_hours = 168;          // How long batch keys and ids are remembered.
  int threads = 8;                            // HTTP worker threads.
  int64_t compact_every_deltas = 1000;        // Snapshot after this many deltas...
  int64_t compact_interval_s = 60;            // ...or this long with any.
  int64_t poll_interval_ms = 1000;            // Reading other servers' deltas.
  int64_t render_interval_ms = 1000;          // Readers see an inventory at most this old.
  std::string discovery_config;               // inventory::ParseDiscoveryOptions JSON file.
  uint64_t min_requests = 0;                  // Overrides the file's when > 0.
  std::string port_file;                      // Write the bound port here once listening.
  std::string dashboard_dir;                  // Serve this web/dist instead of the embedded one.
};

// Checks the settings and loads the files they name; one line naming the setting on error.
struct LoadedServerConfig {
  ServerConfig config;
  std::string host;  // From `listen`, without IPv6 brackets.
  int port = 0;
  inventory::DiscoveryOptions discovery;
  std::string clients_json;  // Empty with no_auth.
};
Result<LoadedServerConfig> LoadServerConfig(const ServerConfig& config);

// Every setting's command-line flag and environment variable: the flags read the variables
// as defaults (apps/gatescope_main.cc).
struct ServerSetting {
  const char* flag;
  const char* env;
};
const std::vector<ServerSetting>& ServerSettings();
// The variable a flag reads ("--listen" -> "GATESCOPE_SERVER_LISTEN").
const char* ServerSettingEnv(std::string_view flag);

// An unknown GATESCOPE_SERVER_* variable is an error naming it, so a typo never silently
// falls back to a default.
Status CheckServerEnvironment(const std::map<std::string, std::string>& env);

}  // namespace gatescope::server
