#include "tests/support/moto_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "env/http_client.h"

extern char** environ;

namespace gatescope::testing {
namespace {

// Runs `argv` with `env`, stdout and stderr to the given files (or /dev/null for empty paths),
// in its own process group. Returns the child's pid, or -1.
int Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
          const std::string& stdout_path, const std::string& stderr_path) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  setpgid(0, 0);
  const auto redirect = [](const std::string& path, int fd) {
    const int out = open(path.empty() ? "/dev/null" : path.c_str(),
                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0) dup2(out, fd);
  };
  redirect(stdout_path, 1);
  redirect(stderr_path, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execvpe(args[0], args.data(), envp.data());
  _exit(127);
}

// The process environment, minus AWS settings that would leak the developer's own account
// into a test, plus `overrides`.
std::vector<std::string> ChildEnvironment(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    std::string name = entry.substr(0, eq);
    if (name.rfind("AWS_", 0) == 0) continue;
    vars[name] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : overrides) vars[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TempPath(const char* stem) {
  const char* dir = std::getenv("TMPDIR");
  std::string templ = std::string(dir != nullptr ? dir : "/tmp") + "/" + stem + "XXXXXX";
  const int fd = mkstemp(templ.data());
  if (fd >= 0) close(fd);
  return templ;
}

}  // namespace

uint16_t FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

MotoServer::MotoServer(int pid, uint16_t port)
    : pid_(pid), port_(port), endpoint_("http://127.0.0.1:" + std::to_string(port)) {}

MotoServer::~MotoServer() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

Result<std::unique_ptr<MotoServer>> MotoServer::Start() {
  auto http = env::NewCurlHttpClient({.connect_timeout = std::chrono::milliseconds(500),
                                      .request_timeout = std::chrono::milliseconds(2000)});
  std::string last_error;
  // A port found free can be taken before moto binds it: try a few.
  for (int tries = 0; tries < 3; ++tries) {
    const uint16_t port = FreeLoopbackPort();
    const std::string log = TempPath("moto_server_log_");
    const int pid = Spawn({"moto_server", "-H", "127.0.0.1", "-p", std::to_string(port)},
                          ChildEnvironment({}), log, log);
    if (pid < 0) return UnavailableError("Could not fork moto_server.");
    std::unique_ptr<MotoServer> server(new MotoServer(pid, port));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      int wstatus = 0;
      if (waitpid(pid, &wstatus, WNOHANG) == pid) {
        last_error = "moto_server exited (" +
                     std::string(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127
                                     ? "not found on PATH; install with pip install 'moto[server]'"
                                     : "status " + std::to_string(wstatus)) +
                     "): " + ReadFile(log);
        server->pid_ = -1;
        break;
      }
      auto response = http->Send({.method = "GET", .url = server->endpoint_ + "/moto-api/"});
      if (response.ok()) {
        unlink(log.c_str());
        return server;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (server->pid_ == -1) continue;  // Already reaped; nothing to stop.
    last_error = "moto_server did not answer on port " + std::to_string(port) + " within 30 s: " +
                 ReadFile(log);
  }
  return UnavailableError(last_error);
}

Result<MotoServer*> SharedMotoServer() {
  // Destroyed after main returns, which stops the child.
  static Result<std::unique_ptr<MotoServer>> started = MotoServer::Start();
  if (!started.ok()) return started.status();
  return started.value().get();
}

std::map<std::string, std::string> MotoServer::Env() const {
  return {{"AWS_ENDPOINT_URL", endpoint_},
          {"AWS_ACCESS_KEY_ID", "testing"},
          {"AWS_SECRET_ACCESS_KEY", "testing"},
          {"AWS_REGION", "us-east-1"},
          {"AWS_DEFAULT_REGION", "us-east-1"},
          {"AWS_CONFIG_FILE", "/dev/null"},
          {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
          {"AWS_EC2_METADATA_DISABLED", "true"},
          {"AWS_PAGER", ""},
          {"NO_PROXY", "127.0.0.1,localhost"},
          {"no_proxy", "127.0.0.1,localhost"}};
}

Result<std::string> MotoServer::RunAwsCli(const std::vector<std::string>& args,
                                          const std::map<std::string, std::string>& extra_env) const {
  std::vector<std::string> argv = {"aws"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--output", "json"});
  std::map<std::string, std::string> vars = Env();
  for (const auto& [k, v] : extra_env) vars[k] = v;
  const std::string out_path = TempPath("aws_cli_out_");
  const std::string err_path = TempPath("aws_cli_err_");
  const int pid = Spawn(argv, ChildEnvironment(vars), out_path, err_path);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  std::string out = ReadFile(out_path);
  std::string err = ReadFile(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    std::string command;
    for (const std::string& a : argv) command += (command.empty() ? "" : " ") + a;
    return InternalError("`" + command + "` failed: " + err);
  }
  return out;
}

Status MotoServer::Reset() const {
  auto http = env::NewCurlHttpClient();
  auto response = http->Send({.method = "POST", .url = endpoint_ + "/moto-api/reset"});
  if (!response.ok()) return response.status();
  if (response->status != 200) {
    return InternalError("moto reset answered HTTP " + std::to_string(response->status));
  }
  return Status::Ok();
}

}  // namespace gatescope::testing
