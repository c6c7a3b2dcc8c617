// Feeds arbitrary bytes to the delivery module's parsers of untrusted input (token endpoint
// responses, Retry-After values, OAuth error bodies, response snippets) and through the
// Batcher, checking their contracts: bounded outputs, and batches that never exceed the cap
// and lose no transaction.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "delivery/batcher.h"
#include "delivery/collector_http_sink.h"
#include "delivery/token_source.h"

using namespace gatescope;

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void FuzzParsers(std::string_view text) {
  Result<delivery::ParsedToken> token = delivery::ParseTokenResponse(text);
  if (token.ok()) {
    Check(!token->access_token.empty());
    Check(token->expires_in.count() >= 0 && token->expires_in.count() <= 365LL * 24 * 3600);
  }
  const std::string code = delivery::ParseOAuthErrorCode(text);
  Check(!code.empty() && code.size() <= 64);
  for (char c : code) Check((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');

  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  const auto wait = delivery::ParseRetryAfter(text, now);
  if (wait) Check(*wait >= std::chrono::milliseconds(0) && *wait <= delivery::kMaxRetryAfter);

  const std::string detail = delivery::SanitizeDetail(text);
  Check(detail.size() <= 256);
  for (char c : detail) Check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
}

// Transactions built from the input's lines (path and body), into a Batcher with a small cap.
void FuzzBatcher(std::string_view data) {
  if (data.empty()) return;
  const bool gzip = (data[0] & 1) != 0;
  const size_t max_records = 1 + static_cast<size_t>(static_cast<unsigned char>(data[0]) >> 4);
  delivery::Batcher batcher({.max_bytes = delivery::kMinBatchBytes,
                             .max_records = max_records,
                             .gzip = gzip,
                             .gzip_level = 1});
  data.remove_prefix(1);
  uint32_t added = 0;
  uint64_t records = 0;
  auto drain = [&] {
    while (auto batch = batcher.TakeReady()) {
      Check(batch->body.size() <= delivery::kMinBatchBytes);
      Check(batch->records >= 1 && batch->records <= max_records);
      records += batch->records;
    }
  };
  while (!data.empty() && added < 64) {
    const size_t nl = data.find('\n');
    const std::string_view chunk = data.substr(0, nl);
    data.remove_prefix(nl == std::string_view::npos ? data.size() : nl + 1);
    model::HttpTransaction tx;
    tx.id = std::to_string(added);
    tx.path.assign(chunk);
    tx.request_headers.Add("X-Chunk", chunk);
    tx.response_body.present = true;
    tx.response_body.text.assign(chunk);
    tx.event_count = 1;
    batcher.Add(tx);
    ++added;
    drain();
  }
  batcher.Flush();
  drain();
  Check(batcher.empty());
  Check(records == added);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  FuzzParsers(text);
  FuzzBatcher(text);
  return 0;
}
