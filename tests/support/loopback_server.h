#pragma once

#include <httplib.h>

#include <string>
#include <thread>

namespace gatescope::testing {

// An httplib::Server on a free 127.0.0.1 port, serving from its own thread from Start() until
// destruction. Register handlers on server() before Start().
//
// Thread-safety: handlers run on httplib's worker threads; the object itself belongs to the
// test's thread.
class LoopbackServer {
 public:
  LoopbackServer() = default;
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  httplib::Server& server() { return server_; }

  // Binds a free loopback port (a failure to bind aborts the test binary: nothing can be tested
  // then) and serves until destruction; returns once the server accepts.
  void Start();

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" followed by `path`.
  std::string url(const std::string& path = "") const;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace gatescope::testing
