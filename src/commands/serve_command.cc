#include "commands/serve_command.h"

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "auth/client_registry.h"
#include "commands/shutdown_signals.h"
#include "core/logging.h"
#include "env/durable_file.h"
#include "server/http_server.h"

namespace gatescope::commands {

int RunServe(const server::ServerConfig& config, const std::map<std::string, std::string>& env,
             const Clock& clock, std::ostream& out, std::ostream& err) {
  if (Status s = server::CheckServerEnvironment(env); !s.ok()) {
    err << "gatescope serve: " << s.message() << '\n';
    return kServeExitConfig;
  }
  Result<server::LoadedServerConfig> loaded = server::LoadServerConfig(config);
  if (!loaded.ok()) {
    err << "gatescope serve: " << loaded.status().message() << '\n';
    return kServeExitConfig;
  }
  // Signals are blocked before the server starts its threads, so only the watcher gets them.
  std::unique_ptr<server::HttpServer> server;
  std::mutex mu;
  ShutdownSignals signals([&](int count) {
    std::lock_guard lock(mu);
    if (server != nullptr && count == 1) {
      GS_LOG(kInfo, "Stopping: finishing requests in flight.");
      server->Stop();
    }
  });
  {
    Result<std::unique_ptr<server::HttpServer>> created = server::HttpServer::Create(*loaded, clock);
    if (!created.ok()) {
      err << "gatescope serve: " << created.status().message() << '\n';
      return kServeExitConfig;
    }
    std::lock_guard lock(mu);
    server = std::move(created).value();
  }
  if (signals.stopping()) return kServeExitOk;
  if (!config.port_file.empty()) {
    if (Status s = env::WriteFileDurably(config.port_file, std::to_string(server->port()) + "\n");
        !s.ok()) {
      err << "gatescope serve: --port-file: " << s.message() << '\n';
      return kServeExitConfig;
    }
  }
  out << "gatescope serve: listening on port " << server->port() << '\n' << std::flush;
  Status run = server->Run();
  {
    std::lock_guard lock(mu);
    server.reset();
  }
  if (!run.ok()) {
    err << "gatescope serve: " << run.message() << '\n';
    return kServeExitFailed;
  }
  return kServeExitOk;
}

int RunAddClient(const AddClientOptions& options, std::ostream& out, std::ostream& err) {
  if (Status s = auth::CheckClientId(options.id); !s.ok()) {
    err << "gatescope auth add-client: --id: " << s.message() << '\n';
    return kServeExitConfig;
  }
  std::string joined;
  for (const std::string& s : options.scopes) joined += (joined.empty() ? "" : " ") + s;
  if (joined.empty()) joined = "inventory:read inventory:ingest";
  Result<uint32_t> scopes = auth::ParseScopes(joined);
  if (!scopes.ok()) {
    err << "gatescope auth add-client: --scope: " << scopes.status().message() << '\n';
    return kServeExitConfig;
  }
  std::string secret;
  std::string client = auth::NewClientJson(options.id, *scopes, &secret);
  nlohmann::ordered_json doc;
  doc["client"] = nlohmann::ordered_json::parse(client);
  doc["client_secret"] = secret;
  out << doc.dump(2) << '\n';
  err << "gatescope auth add-client: add \"client\" to the server's clients file; give the secret "
         "to the client (it is not stored anywhere)\n";
  return kServeExitOk;
}

int RunHashSecret(std::istream& in, std::ostream& out, std::ostream& err) {
  std::string secret;
  std::getline(in, secret);
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.size() < 16) {
    err << "gatescope auth hash-secret: the secret (first line of stdin) must have at least 16 "
           "characters\n";
    return kServeExitConfig;
  }
  out << auth::HashSecret(secret) << '\n';
  return kServeExitOk;
}

}  // namespace gatescope::commands
