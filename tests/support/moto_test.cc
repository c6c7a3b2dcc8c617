#include "tests/support/moto_test.h"

namespace gatescope::testing {

MotoServer* MotoTest::moto_ = nullptr;

void MotoTest::SetUpTestSuite() {
  Result<MotoServer*> moto = SharedMotoServer();
  ASSERT_TRUE(moto.ok()) << moto.status().ToString();
  moto_ = *moto;
}

void MotoTest::SetUp() {
  ASSERT_NE(moto_, nullptr);
  ASSERT_TRUE(moto_->Reset().ok());
  http_ = env::NewCurlHttpClient();
  credentials_ = aws::NewStaticCredentialsProvider(
      {.access_key_id = "testing", .secret_access_key = "testing", .source = "test"});
}

}  // namespace gatescope::testing
