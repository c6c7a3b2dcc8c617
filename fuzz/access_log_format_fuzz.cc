// Compiles arbitrary bytes as a user's access-log format, then matches a few lines with it.
#include <cstdint>
#include <string_view>

#include "parsers/apigw_access/access_log_parser.h"

using namespace gatescope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view format(reinterpret_cast<const char*>(data), size);
  parsers::apigw_access::AccessLogFormats formats;
  if (!formats.Add(format, "fuzz").ok()) return 0;
  parsers::apigw_access::AccessLogParser parser(&formats);
  model::HttpTransaction tx;
  for (std::string_view line : {format, std::string_view("1.2.3.4 - - [x] \"GET / HTTP/1.1\" 200"),
                                std::string_view("{\"a\":\"b\"}")}) {
    (void)parser.Parse(model::RawRecord{.message = line}, &tx);
  }
  return 0;
}
