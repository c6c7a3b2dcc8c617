#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "aws/credentials.h"
#include "env/http_client.h"
#include "tests/support/moto_server.h"

namespace gatescope::testing {

// A test fixture against the binary's shared moto_server: each test starts on a reset moto,
// with a fresh HTTP client and moto's static test credentials. Subclasses that override SetUp()
// call MotoTest::SetUp() first and build their clients from `http_` and `credentials_`.
class MotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  void SetUp() override;

  static MotoServer* moto_;  // Null when moto_server could not start (the suite then fails).
  std::unique_ptr<env::HttpClient> http_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
};

}  // namespace gatescope::testing
