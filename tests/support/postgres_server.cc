#include "tests/support/postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/moto_server.h"

namespace gatescope::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSetupHint = "; install PostgreSQL with scripts/setup.sh";

struct Account {
  uid_t uid;
  gid_t gid;
};

// Who runs initdb and postgres: nobody else when we are not root, else the `postgres` user.
Result<std::optional<Account>> ServerAccount() {
  if (geteuid() != 0) return std::optional<Account>();
  const passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    return UnavailableError("PostgreSQL refuses to run as root and there is no `postgres` user" +
                            std::string(kSetupHint));
  }
  return std::optional<Account>(Account{pw->pw_uid, pw->pw_gid});
}

// The directory holding initdb and postgres: $GS_PG_BINDIR, else the highest version under
// /usr/lib/postgresql (Debian's layout).
Result<std::string> FindBinDir() {
  if (const char* dir = std::getenv("GS_PG_BINDIR"); dir != nullptr && *dir != '\0') {
    return std::string(dir);
  }
  std::vector<std::pair<int, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "postgres")) continue;
    found.emplace_back(std::atoi(entry.path().filename().c_str()), bin.string());
  }
  if (found.empty()) {
    return UnavailableError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin" +
                            std::string(kSetupHint));
  }
  return std::max_element(found.begin(), found.end())->second;
}

// Runs `argv` (as `account` when set) with stdout and stderr appended to `log`, in its own
// process group. Everything the child needs is prepared before fork: after it only
// async-signal-safe calls are allowed.
int Spawn(const std::vector<std::string>& argv, const std::optional<Account>& account,
          const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  setpgid(0, 0);
  const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (out >= 0) {
    dup2(out, 1);
    dup2(out, 2);
  }
  if (account.has_value()) {
    if (setgroups(0, nullptr) != 0 || setgid(account->gid) != 0 || setuid(account->uid) != 0) {
      _exit(126);
    }
  }
  // After setuid, which clears it: a test that dies takes its server with it.
  prctl(PR_SET_PDEATHSIG, SIGQUIT);
  execv(args[0], args.data());
  _exit(127);
}

std::string ReadLog(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ChownTree(const std::string& path, const Account& account) {
  if (chown(path.c_str(), account.uid, account.gid) != 0) return;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
    (void)chown(entry.path().c_str(), account.uid, account.gid);
  }
}

bool ValidDatabaseName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

PostgresServer::~PostgresServer() {
  if (pid_ > 0) {
    kill(pid_, SIGINT);  // Fast shutdown: disconnects clients, no checkpoint wait for them.
    bool exited = false;
    for (int i = 0; i < 100 && !exited; ++i) {
      exited = waitpid(pid_, nullptr, WNOHANG) == pid_;
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!exited) {
      kill(-pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string PostgresServer::UrlFor(std::string_view database) const {
  return "postgresql://gatescope@127.0.0.1:" + std::to_string(port_) + "/" + std::string(database);
}

Result<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  GS_ASSIGN_OR_RETURN(const std::string bin, FindBinDir());
  GS_ASSIGN_OR_RETURN(const std::optional<Account> account, ServerAccount());

  std::unique_ptr<PostgresServer> server(new PostgresServer());
  std::string tmpl = (fs::temp_directory_path() / "gatescope-pg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return UnavailableError("mkdtemp for PostgreSQL failed");
  server->dir_ = tmpl;
  if (account.has_value()) ChownTree(server->dir_, *account);
  const std::string data = server->dir_ + "/data";
  const std::string initdb_log = server->dir_ + "/initdb.log";

  // --no-sync and trust authentication: a throwaway cluster on loopback.
  const int initdb = Spawn({bin + "/initdb", "-D", data, "-U", "gatescope", "-A", "trust", "-E",
                            "UTF8", "--locale=C", "--no-sync"},
                           account, initdb_log);
  int wstatus = 0;
  if (initdb < 0 || waitpid(initdb, &wstatus, 0) != initdb || !WIFEXITED(wstatus) ||
      WEXITSTATUS(wstatus) != 0) {
    return UnavailableError("initdb failed (status " + std::to_string(wstatus) +
                            "): " + ReadLog(initdb_log));
  }

  std::string last_error;
  // A port found free can be taken before postgres binds it: try a few.
  for (int tries = 0; tries < 3; ++tries) {
    server->port_ = FreeLoopbackPort();
    server->url_ = server->UrlFor("postgres");
    const std::string log = server->dir_ + "/postgres-" + std::to_string(tries) + ".log";
    server->pid_ = Spawn({bin + "/postgres", "-D", data, "-p", std::to_string(server->port_), "-k",
                          server->dir_, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                          "full_page_writes=off", "-c", "max_connections=200"},
                         account, log);
    if (server->pid_ < 0) return UnavailableError("could not fork postgres");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(server->pid_, &wstatus, WNOHANG) == server->pid_) {
        server->pid_ = -1;
        last_error = "postgres exited (status " + std::to_string(wstatus) + "): " + ReadLog(log);
        break;
      }
      try {
        pqxx::connection probe(server->url_);
        return server;
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    if (server->pid_ == -1) continue;
    last_error = "postgres did not accept connections on port " + std::to_string(server->port_) +
                 " within 30 s: " + ReadLog(log);
    break;  // The destructor stops it.
  }
  return UnavailableError(last_error);
}

Result<std::string> PostgresServer::CreateDatabase(std::string_view name) {
  if (!ValidDatabaseName(name)) {
    return InvalidArgumentError("database name '" + std::string(name) + "' is not [a-z0-9_]+");
  }
  try {
    pqxx::connection conn(url_);
    pqxx::nontransaction tx(conn);  // CREATE DATABASE cannot run inside a transaction block.
    tx.exec("DROP DATABASE IF EXISTS " + std::string(name) + " WITH (FORCE)");
    tx.exec("CREATE DATABASE " + std::string(name));
  } catch (const std::exception& e) {
    return UnavailableError("creating database '" + std::string(name) + "' failed: " + e.what());
  }
  return UrlFor(name);
}

Result<PostgresServer*> SharedPostgresServer() {
  // Destroyed after main returns, which stops the server.
  static Result<std::unique_ptr<PostgresServer>> started = PostgresServer::Start();
  if (!started.ok()) return started.status();
  return started.value().get();
}

}  // namespace gatescope::testing
