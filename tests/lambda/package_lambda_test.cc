// Runs scripts/package_lambda.sh on the echo runtime (tests/lambda/lambda_echo_runtime.cc), checks
// the zip's layout, unpacks it and runs its `bootstrap` against the Runtime API emulator, as
// Lambda would from /var/task.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/runtime_api_emulator.h"
#include "tests/support/test_util.h"

extern char** environ;

namespace gatescope::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// Runs `command` through /bin/sh; returns its exit status and leaves its output in `log`.
int RunShell(const std::string& command, const std::string& log) {
  int status = std::system((command + " >" + log + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Zip entry name -> permission bits, read with python3's zipfile (no unzip needed).
std::map<std::string, int> ListZip(const TempDir& dir, const std::string& zip) {
  std::string listing = dir.File("listing.txt");
  EXPECT_EQ(RunShell("python3 -c 'import sys, zipfile\n"
                     "for i in zipfile.ZipFile(sys.argv[1]).infolist():\n"
                     "  print(i.filename, (i.external_attr >> 16) & 0o777)' " +
                         zip,
                     listing),
            0);
  std::map<std::string, int> entries;
  std::istringstream in(ReadFile(listing));
  std::string name;
  int mode;
  while (in >> name >> mode) entries[name] = mode;
  return entries;
}

// Unpacks `zip` into `target`, keeping the modes (zipfile's extractall drops them).
void Unzip(const TempDir& dir, const std::string& zip, const std::string& target) {
  ASSERT_EQ(
      RunShell("python3 -c 'import os, sys, zipfile\n"
               "z = zipfile.ZipFile(sys.argv[1])\n"
               "for i in z.infolist():\n"
               "  p = z.extract(i, sys.argv[2]); os.chmod(p, (i.external_attr >> 16) & 0o777)' " +
                   zip + " " + target,
               dir.File("unzip.txt")),
      0)
      << ReadFile(dir.File("unzip.txt"));
}

// Runs `bootstrap` with the Lambda environment; returns its exit code once the emulator shut it
// down after three events (echoed, failed, thrown).
void RunBootstrapAgainstEmulator(const std::string& task_root) {
  RuntimeApiEmulator emulator;
  emulator.Start();
  std::string hello = emulator.Enqueue("hello", 1700000060000);
  std::string fail = emulator.Enqueue("fail", 1700000060000);
  std::string thrown = emulator.Enqueue("throw", 1700000060000);

  std::string bootstrap = task_root + "/bootstrap";
  std::vector<std::string> env = {"AWS_LAMBDA_RUNTIME_API=" + emulator.endpoint(),
                                  "LAMBDA_TASK_ROOT=" + task_root, "_HANDLER=gatescope",
                                  "PATH=/usr/local/bin:/usr/bin:/bin"};
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  char* argv[] = {bootstrap.data(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, bootstrap.c_str(), nullptr, nullptr, argv, envp.data()), 0);

  bool answered = emulator.WaitForOutcomes(3, std::chrono::seconds(20));
  emulator.Shutdown();
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 2000 && done == 0; ++i) {
    done = waitpid(pid, &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "bootstrap did not exit after the Runtime API answered 500";
  }
  ASSERT_TRUE(answered);
  EXPECT_TRUE(emulator.first_next().has_value());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);  // kExitContainerError.

  std::vector<RuntimeApiEmulator::Outcome> outcomes = emulator.outcomes();
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].request_id, hello);
  EXPECT_EQ(outcomes[0].kind, RuntimeApiEmulator::Outcome::kResponse);
  EXPECT_EQ(outcomes[0].body, "hello");
  EXPECT_EQ(outcomes[1].request_id, fail);
  EXPECT_EQ(outcomes[1].kind, RuntimeApiEmulator::Outcome::kError);
  EXPECT_EQ(outcomes[1].error_type, "Echo.Fail");
  EXPECT_EQ(outcomes[2].request_id, thrown);
  EXPECT_EQ(outcomes[2].error_type, "Runtime.UnknownReason");
}

TEST(PackageLambdaTest, StaticLibstdcxxBinaryIsTheBootstrapItself) {
  TempDir dir;
  std::string zip = dir.File("function.zip");
  ASSERT_EQ(RunShell("bash " + Env("GS_PACKAGE_SCRIPT") + " --binary " + Env("GS_ECHO_BOOTSTRAP") +
                         " --output " + zip,
                     dir.File("package.txt")),
            0)
      << ReadFile(dir.File("package.txt"));
  std::string report = ReadFile(dir.File("package.txt"));
  EXPECT_THAT(report, HasSubstr("layout=direct"));
  EXPECT_THAT(report, HasSubstr("needs=GLIBC_2.3"));  // At most 2.34, checked by the script.

  std::map<std::string, int> entries = ListZip(dir, zip);
  ASSERT_THAT(entries, Contains(Key("bootstrap")));
  EXPECT_EQ(entries["bootstrap"], 0755);
  for (const auto& [name, mode] : entries) {
    EXPECT_TRUE(name == "bootstrap" || name.rfind("lib/", 0) == 0) << name;
  }
  std::string task_root = dir.File("task");
  Unzip(dir, zip, task_root);
  RunBootstrapAgainstEmulator(task_root);
}

TEST(PackageLambdaTest, DynamicLibstdcxxBinaryGetsBundledLoader) {
  TempDir dir;
  std::string zip = dir.File("function.zip");
  ASSERT_EQ(RunShell("bash " + Env("GS_PACKAGE_SCRIPT") + " --binary " + Env("GS_ECHO_RUNTIME") +
                         " --output " + zip,
                     dir.File("package.txt")),
            0)
      << ReadFile(dir.File("package.txt"));
  EXPECT_THAT(ReadFile(dir.File("package.txt")), HasSubstr("layout=bundled-libc"));

  std::map<std::string, int> entries = ListZip(dir, zip);
  EXPECT_EQ(entries["bootstrap"], 0755);
  EXPECT_EQ(entries["bin/gatescope"], 0755);
  EXPECT_THAT(entries, Contains(Key("lib/libc.so.6")));
  EXPECT_THAT(entries, Contains(Key("lib/libstdc++.so.6")));
  bool has_loader = false;
  for (const auto& [name, mode] : entries) has_loader |= name.rfind("lib/ld-", 0) == 0;
  EXPECT_TRUE(has_loader);
  std::string task_root = dir.File("task");
  Unzip(dir, zip, task_root);
  RunBootstrapAgainstEmulator(task_root);
}

}  // namespace
}  // namespace gatescope::testing
