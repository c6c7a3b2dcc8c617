#include "server/server_config.h"

#include <string_view>

#include "env/durable_file.h"

namespace gatescope::server {
namespace {

Status Bad(std::string_view flag, std::string_view why) {
  return InvalidArgumentError(std::string(flag) + " (" + ServerSettingEnv(flag) + "): " +
                              std::string(why));
}

}  // namespace

const std::vector<ServerSetting>& ServerSettings() {
  static const std::vector<ServerSetting> kSettings = {
      {"--listen", "GATESCOPE_SERVER_LISTEN"},
      {"--store", "GATESCOPE_SERVER_STORE"},
      {"--clients", "GATESCOPE_SERVER_CLIENTS_FILE"},
      {"--no-auth", "GATESCOPE_SERVER_NO_AUTH"},
      {"--tls-cert", "GATESCOPE_SERVER_TLS_CERT_FILE"},
      {"--tls-key", "GATESCOPE_SERVER_TLS_KEY_FILE"},
      {"--token-lifetime", "GATESCOPE_SERVER_TOKEN_LIFETIME_SECONDS"},
      {"--max-request-bytes", "GATESCOPE_SERVER_MAX_REQUEST_BYTES"},
      {"--max-decoded-bytes", "GATESCOPE_SERVER_MAX_DECODED_BYTES"},
      {"--dedupe-window-hours", "GATESCOPE_SERVER_DEDUPE_WINDOW_HOURS"},
      {"--threads", "GATESCOPE_SERVER_THREADS"},
      {"--compact-every", "GATESCOPE_SERVER_COMPACT_EVERY_DELTAS"},
      {"--compact-interval", "GATESCOPE_SERVER_COMPACT_INTERVAL_SECONDS"},
      {"--poll-interval-ms", "GATESCOPE_SERVER_POLL_INTERVAL_MS"},
      {"--render-interval-ms", "GATESCOPE_SERVER_RENDER_INTERVAL_MS"},
      {"--discovery-config", "GATESCOPE_SERVER_DISCOVERY_CONFIG"},
      {"--min-requests", "GATESCOPE_SERVER_MIN_REQUESTS"},
      {"--port-file", "GATESCOPE_SERVER_PORT_FILE"},
      {"--dashboard-dir", "GATESCOPE_SERVER_DASHBOARD_DIR"},
  };
  return kSettings;
}

const char* ServerSettingEnv(std::string_view flag) {
  for (const ServerSetting& s : ServerSettings()) {
    if (flag == s.flag) return s.env;
  }
  return "";
}

Status CheckServerEnvironment(const std::map<std::string, std::string>& env) {
  constexpr std::string_view kPrefix = "GATESCOPE_SERVER_";
  for (const auto& [name, value] : env) {
    if (name.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    bool known = false;
    for (const ServerSetting& s : ServerSettings()) known = known || name == s.env;
    if (!known) return InvalidArgumentError(name + ": unknown setting (see `gatescope serve --help`)");
  }
  return Status();
}

Result<LoadedServerConfig> LoadServerConfig(const ServerConfig& config) {
  LoadedServerConfig loaded{.config = config, .host = {}, .port = 0, .discovery = {}, .clients_json = {}};
  const ServerConfig& c = loaded.config;
  size_t colon = c.listen.rfind(':');
  std::string_view port = colon == std::string::npos ? "" : std::string_view(c.listen).substr(colon + 1);
  bool port_ok = !port.empty() && port.size() <= 5 &&
                 port.find_first_not_of("0123456789") == std::string_view::npos &&
                 std::stoul(std::string(port)) <= 65535;
  if (colon == 0 || !port_ok) {
    return Bad("--listen", "expected HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080");
  }
  loaded.host = c.listen.substr(0, colon);
  if (loaded.host.size() > 2 && loaded.host.front() == '[' && loaded.host.back() == ']') {
    loaded.host = loaded.host.substr(1, loaded.host.size() - 2);
  }
  loaded.port = static_cast<int>(std::stoul(std::string(port)));
  if (c.store.empty()) return Bad("--store", "must not be empty");
  if (c.no_auth && !c.clients_file.empty()) return Bad("--no-auth", "conflicts with --clients: choose one");
  if (!c.no_auth) {
    if (c.clients_file.empty()) {
      return Bad("--clients", "required: the OAuth2 clients file (create one with `gatescope auth "
                              "add-client`), or run without authentication with --no-auth");
    }
    Result<std::string> text = env::ReadWholeFile(c.clients_file);
    if (!text.ok()) return Bad("--clients", "cannot read " + c.clients_file);
    loaded.clients_json = std::move(text).value();
  }
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return Bad(c.tls_cert_file.empty() ? "--tls-cert" : "--tls-key", "--tls-cert and --tls-key go together");
  }
  if (!c.discovery_config.empty()) {
    Result<std::string> text = env::ReadWholeFile(c.discovery_config);
    if (!text.ok()) return Bad("--discovery-config", "cannot read " + c.discovery_config);
    Result<inventory::DiscoveryOptions> parsed = inventory::ParseDiscoveryOptions(*text);
    if (!parsed.ok()) return Bad("--discovery-config", parsed.status().message());
    loaded.discovery = std::move(parsed).value();
  }
  if (c.min_requests > 0) loaded.discovery.min_requests = c.min_requests;
  return loaded;
}

}  // namespace gatescope::server
