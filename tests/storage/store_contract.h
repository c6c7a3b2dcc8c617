#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "core/result.h"
#include "storage/store.h"

namespace gatescope::storage::testing {

// A store adapter under test: hands out fresh, empty locations (a SQLite file path or a
// PostgreSQL database URL) that OpenStore accepts. Lives for one test.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  virtual Result<std::string> NewLocation() = 0;
};

// The parameter of StoreContractTest: a name for test names and a backend factory.
struct BackendParam {
  const char* name;
  std::unique_ptr<StoreBackend> (*make)();
};

// The behaviour every Store adapter shares (store_contract.cc). A test binary instantiates it
// with its backends:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(BackendParam{...}),
//                            BackendName);
class StoreContractTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override;
  // Opens (another) store on this test's location; fails the test on error.
  std::unique_ptr<Store> Open(const StoreOptions& options = {});

  std::unique_ptr<StoreBackend> backend_;
  std::string location_;
  std::unique_ptr<Store> store_;
};

std::string BackendName(const ::testing::TestParamInfo<BackendParam>& info);

// A 32-byte transaction id derived from `n` (with 0x00, 0x7f and 0xff bytes in it).
inline std::string Id(int n) {
  std::string id(32, '\0');
  for (int i = 0; i < 4; ++i) id[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  id[16] = '\xff';
  id[31] = '\x7f';
  return id;
}

// A 64-hex-digit batch key derived from `n`.
inline std::string Key(int n) {
  char buf[65];
  std::snprintf(buf, sizeof(buf), "%064x", n);
  return buf;
}

}  // namespace gatescope::storage::testing
