// Fuzzes the Runtime API client's HTTP/1.1 response parser (src/lambda/runtime_api_client.h):
// whole-buffer parsing must not crash, and feeding the same bytes in two pieces (split where the
// first byte says) must give the same outcome, as the socket reader feeds whatever recv returns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lambda/runtime_api_client.h"

namespace {

using gatescope::lambda::HttpMessage;
using gatescope::lambda::HttpResponseParser;

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t split_hint = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  gatescope::Result<HttpMessage> whole = gatescope::lambda::ParseHttpResponse(bytes);

  HttpResponseParser parser;
  size_t split = bytes.empty() ? 0 : split_hint % (bytes.size() + 1);
  gatescope::Status status = parser.Feed(bytes.substr(0, split));
  if (status.ok() && !parser.done()) status = parser.Feed(bytes.substr(split));
  if (status.ok() && !parser.done()) status = parser.FinishAtEof();
  Check(status.ok() == whole.ok());
  if (whole.ok()) {
    const HttpMessage& a = *whole;
    const HttpMessage& b = parser.message();
    Check(a.status == b.status && a.body == b.body && a.headers == b.headers &&
          a.keep_alive == b.keep_alive);
    Check(a.status >= 100 && a.status <= 999);
  } else {
    Check(status.code() == whole.status().code());
  }

  // The error document must stay well-formed whatever the text (no raw control bytes).
  std::string doc = gatescope::lambda::ErrorDocument(bytes.substr(0, 64), bytes);
  for (char c : doc) Check(static_cast<unsigned char>(c) >= 0x20);
  return 0;
}
