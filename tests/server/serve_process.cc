#include "server/serve_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include <httplib.h>

namespace gatescope::testing {
namespace {

std::string GatescopeBinary() {
  const char* bin = std::getenv("GS_GATESCOPE_BIN");
  return bin == nullptr ? "gatescope" : bin;
}

// fork + exec with stdin/stdout/stderr redirected to files (empty path: inherit).
int Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
          const std::string& in, const std::string& out, const std::string& err) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    if (env.count(kv.substr(0, kv.find('='))) == 0) env_strings.push_back(kv);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  auto redirect = [](const std::string& path, int fd, int flags) {
    if (path.empty()) return;
    int f = open(path.c_str(), flags, 0600);
    if (f >= 0) dup2(f, fd);
  };
  redirect(in, 0, O_RDONLY);
  redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC);
  redirect(err, 2, O_WRONLY | O_CREAT | O_TRUNC);
  execve(argv[0], argv.data(), envp.data());
  _exit(127);
}

}  // namespace

ServeProcess::ServeProcess(int pid, std::unique_ptr<TempDir> dir) : pid_(pid), dir_(std::move(dir)) {}

ServeProcess::~ServeProcess() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

Result<std::unique_ptr<ServeProcess>> ServeProcess::Start(const std::vector<std::string>& args,
                                                          const std::map<std::string, std::string>& env) {
  auto dir = std::make_unique<TempDir>();
  std::string port_file = dir->File("port");
  std::vector<std::string> argv = {GatescopeBinary(), "serve"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--listen", "127.0.0.1:0", "--port-file", port_file});
  int pid = Spawn(argv, env, "", dir->File("stdout"), dir->File("stderr"));
  if (pid < 0) return UnavailableError("cannot fork gatescope serve");
  std::unique_ptr<ServeProcess> p(new ServeProcess(pid, std::move(dir)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      p->exited_ = true;
      return UnavailableError("gatescope serve exited at start: " + p->Stderr());
    }
    std::ifstream f(port_file);
    int port = 0;
    if (f >> port && port > 0) {
      p->port_ = static_cast<uint16_t>(port);
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(std::chrono::seconds(1));
      if (auto res = client.Get("/healthz"); res && res->status == 200) return p;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return UnavailableError("gatescope serve did not come up in 30 s: " + p->Stderr());
}

void ServeProcess::Signal(int sig) const { kill(pid_, sig); }

Result<int> ServeProcess::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status(StatusCode::kDeadlineExceeded, "gatescope serve still running");
}

std::string ServeProcess::Stderr() const {
  std::string err = ReadFile(dir_->File("stderr"));
  return err.size() > 4000 ? err.substr(err.size() - 4000) : err;
}

Result<std::string> RunGatescope(const std::vector<std::string>& args, std::string_view stdin_text) {
  TempDir dir;
  std::string in = dir.Write("stdin", stdin_text);
  std::vector<std::string> argv = {GatescopeBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  int pid = Spawn(argv, {}, in, dir.File("stdout"), dir.File("stderr"));
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return InternalError("gatescope exited with " + std::to_string(status) + ": " +
                         ReadFile(dir.File("stderr")));
  }
  return ReadFile(dir.File("stdout"));
}

}  // namespace gatescope::testing
