// SQLite: a batch acknowledged by CommitBatch survives kill -9 of the process that stored it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "storage/store.h"
#include "tests/storage/store_contract.h"
#include "tests/support/test_util.h"

namespace gatescope::storage::testing {
namespace {

std::string BlobFor(int32_t key) { return "delta-" + std::to_string(key); }

// The child: commits batches until killed, writing each acknowledged key to `fd` after
// CommitBatch returned OK (so the parent knows only of durable batches). Never returns.
[[noreturn]] void CommitUntilKilled(const std::string& path, bool full_sync, int fd) {
  Result<std::unique_ptr<Store>> store = OpenStore(path, {.sqlite_full_sync = full_sync});
  if (!store.ok()) _exit(2);
  for (int32_t key = 1;; ++key) {
    BatchRecord batch{.key = Key(key), .ids = {}, .received_at_ms = key};
    for (int i = 0; i < 50; ++i) batch.ids.push_back(Id(key * 100 + i));
    Result<CommitResult> r =
        (*store)->CommitBatch(batch, [key](const std::vector<bool>&) { return BlobFor(key); });
    if (!r.ok()) _exit(3);
    if (write(fd, &key, sizeof(key)) != sizeof(key)) _exit(4);
  }
}

class DurabilityTest : public ::testing::TestWithParam<bool> {};

TEST_P(DurabilityTest, AcknowledgedBatchesSurviveKill9) {
  const bool full_sync = GetParam();
  gatescope::testing::TempDir dir;
  const std::string path = dir.File("store.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    CommitUntilKilled(path, full_sync, fds[1]);
  }
  close(fds[1]);
  std::vector<int32_t> acknowledged;
  int32_t key = 0;
  // Kill mid-stream, once enough batches were acknowledged.
  while (acknowledged.size() < 60 && read(fds[0], &key, sizeof(key)) == sizeof(key)) {
    acknowledged.push_back(key);
  }
  kill(child, SIGKILL);
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);
  EXPECT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with status " << wstatus;
  while (read(fds[0], &key, sizeof(key)) == sizeof(key)) acknowledged.push_back(key);
  close(fds[0]);
  ASSERT_GE(acknowledged.size(), 60u);

  Result<std::unique_ptr<Store>> store = OpenStore(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<std::vector<Delta>> deltas = (*store)->ReadDeltas(0, 1000000);
  ASSERT_TRUE(deltas.ok());
  std::set<std::string> blobs;
  for (const Delta& d : *deltas) blobs.insert(d.blob);
  for (int32_t acked : acknowledged) {
    EXPECT_TRUE(blobs.count(BlobFor(acked))) << "delta of acknowledged batch " << acked;
    Result<CommitResult> again =
        (*store)->CommitBatch({.key = Key(acked), .ids = {}, .received_at_ms = 0},
                              [](const std::vector<bool>&) { return std::string("x"); });
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->duplicate_batch) << "acknowledged batch " << acked;
  }
  // The store is consistent: at most the one in-flight batch beyond the acknowledged ones.
  EXPECT_LE(deltas->size(), acknowledged.size() + 1);
}

INSTANTIATE_TEST_SUITE_P(Sync, DurabilityTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? std::string("Full") : std::string("Normal");
                         });

}  // namespace
}  // namespace gatescope::storage::testing
