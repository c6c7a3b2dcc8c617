#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gatescope::testing {

// A throwaway PostgreSQL for tests: `initdb` into a fresh temp dir, `postgres` on a free
// loopback port (unix socket in the temp dir, fsync=off, trust authentication for the superuser
// "gatescope"), stopped (fast shutdown, then SIGKILL) and its directory removed on destruction.
// PostgreSQL refuses to run as root: when the test runs as root, initdb and postgres run as the
// `postgres` system user. The server gets SIGQUIT if the thread that started it exits, so a
// crashed test leaves no orphan.
//
// Thread-safety: CreateDatabase and the accessors may be called from any thread; start and
// destroy from the main thread.
class PostgresServer {
 public:
  // Finds the binaries (/usr/lib/postgresql/<version>/bin, highest version; or $GS_PG_BINDIR),
  // initializes a cluster and starts it, waiting until it accepts connections (up to 30 s).
  // kUnavailable when PostgreSQL is not installed (the message says to run scripts/setup.sh)
  // or does not come up (the message carries its log).
  static Result<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  uint16_t port() const { return port_; }
  // "postgresql://gatescope@127.0.0.1:<port>/postgres" (the maintenance database).
  const std::string& url() const { return url_; }
  // The URL of database `name` on this server.
  std::string UrlFor(std::string_view database) const;

  // Creates the empty database `name` (dropping one of that name first) and returns its URL,
  // so that each test starts clean. `name`: lowercase letters, digits and '_'.
  Result<std::string> CreateDatabase(std::string_view name);

 private:
  PostgresServer() = default;
  int pid_ = -1;
  uint16_t port_ = 0;
  std::string dir_;  // The temp dir: data/, the socket and logs.
  std::string url_;
};

// The test binary's one PostgreSQL: started on first use (call it first from the main thread,
// e.g. in SetUp) and stopped when the program exits. Once a start has failed, every call returns
// that error. Tests call CreateDatabase for a clean database.
Result<PostgresServer*> SharedPostgresServer();

}  // namespace gatescope::testing
