#include "tests/support/loopback_server.h"

#include <chrono>

#include "core/check.h"

namespace gatescope::testing {

LoopbackServer::~LoopbackServer() {
  if (!thread_.joinable()) return;
  server_.stop();
  thread_.join();
}

void LoopbackServer::Start() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  GS_CHECK(port_ > 0);
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() before the accept loop runs would be lost; wait until it does.
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::string LoopbackServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace gatescope::testing
