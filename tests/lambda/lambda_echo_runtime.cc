// A minimal custom runtime for tests, packaging checks and the cold-start measurement: it runs
// RunLambdaLoop against AWS_LAMBDA_RUNTIME_API and answers each event with the event itself,
// or with an error of type "Echo.Fail" when the event is the string "fail". The event "throw"
// throws (RunLambdaLoop reports Runtime.UnknownReason): in the packaged bootstrap this checks that
// exceptions unwind through glibc_compat's _dl_find_object.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "lambda/runtime_api_client.h"

int main() {
  using namespace gatescope::lambda;
  const char* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (endpoint == nullptr) {
    std::fprintf(stderr, "AWS_LAMBDA_RUNTIME_API is not set.\n");
    return 2;
  }
  auto client = RuntimeApiClient::Create(endpoint);
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.status().ToString().c_str());
    return 2;
  }
  return RunLambdaLoop(**client, [](const Invocation& invocation) {
    if (invocation.body == "throw") throw std::runtime_error("asked to throw");
    if (invocation.body == "fail") {
      return HandlerResult{.ok = false, .error_type = "Echo.Fail", .error_message = "Asked to."};
    }
    return HandlerResult{.body = invocation.body};
  });
}
