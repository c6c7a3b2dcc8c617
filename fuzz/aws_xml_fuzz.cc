// Fuzzes the AWS response readers that see bytes from the network before any typed parser:
// the XML scanner (EC2, STS, S3 bodies) and ParseAwsError over every protocol. Checks: nothing
// crashes or reads out of bounds, and every element Elements() returns lies inside the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/internal/xml_scan.h"
#include "core/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view doc(reinterpret_cast<const char*>(data), size);
  for (std::string_view name : {"Code", "item", "Error", "x"}) {
    for (std::string_view element : gatescope::aws::xml::Elements(doc, name)) {
      GS_CHECK(element.empty() ||
               (element.data() >= doc.data() && element.data() + element.size() <= doc.data() + doc.size()));
    }
    (void)gatescope::aws::xml::FirstText(doc, name);
  }
  (void)gatescope::aws::xml::DecodeEntities(doc);
  gatescope::env::HttpResponse response{.status = size > 0 ? 400 + data[0] % 200 : 500,
                                        .headers = {{"x-amzn-errortype", std::string(doc.substr(0, 40))}},
                                        .body = std::string(doc)};
  const gatescope::aws::AwsError error = gatescope::aws::ParseAwsError(response);
  (void)gatescope::aws::AwsErrorToStatus(error, "logs", "FilterLogEvents");
  return 0;
}
