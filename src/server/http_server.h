#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "core/status.h"
#include "server/server_config.h"

namespace gatescope::server {

// `gatescope serve`: the ingest API, the OAuth2 token endpoint, the inventory API, health
// and metrics over HTTP(S); routes and errors in docs/specs/server.md.
//
// Thread-safety: Run() on one thread; Stop() from any thread or a signal-watching thread.
class HttpServer {
 public:
  // Opens the store, loads the inventory, binds the listening socket. Errors name the setting.
  static Result<std::unique_ptr<HttpServer>> Create(const LoadedServerConfig& config,
                                                    const Clock& clock);
  ~HttpServer();

  uint16_t port() const;
  // Serves until Stop(): then stops accepting, finishes requests in flight, writes a snapshot.
  Status Run();
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatescope::server
