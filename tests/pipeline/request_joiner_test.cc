#include "pipeline/request_joiner.h"

#include <gtest/gtest.h>

#include <string>

namespace gatescope::pipeline {
namespace {

model::HttpTransaction Tx(int i, model::LogSource source) {
  model::HttpTransaction tx;
  tx.request_id = "req-" + std::to_string(i * 7919) + "-" + std::to_string(i);
  tx.api_kind = model::ApiKind::kRest;
  tx.method = "GET";
  tx.path = "/x";
  tx.source = source;
  tx.request_time_ms = 1000 + i;
  return tx;
}

// Access logs in one file, execution logs in another: every execution-log transaction must
// be recognised as the other half of an emitted request, or the request is counted twice.
TEST(RequestJoinerTest, RemembersEveryIdOfALargeFileWithoutCollisions) {
  constexpr int kRequests = 50000;
  int emitted = 0, supplements = 0;
  RequestJoiner joiner(JoinerOptions{}, [&](model::HttpTransaction& tx) {
    ++emitted;
    supplements += tx.supplement;
  });
  for (int i = 0; i < kRequests; ++i) {
    auto tx = Tx(i, model::LogSource::kAccessLog);
    joiner.Offer(&tx);
  }
  for (int i = 0; i < kRequests; ++i) {
    auto tx = Tx(i, model::LogSource::kExecutionLog);
    joiner.Offer(&tx);
  }
  joiner.Flush();
  EXPECT_EQ(emitted, 2 * kRequests);
  EXPECT_EQ(supplements, kRequests);
}

}  // namespace
}  // namespace gatescope::pipeline
