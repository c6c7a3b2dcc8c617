// Fuzzes the connector's configuration: KEY=VALUE lines as an environment (every GATESCOPE_*
// variable's parser, including GATESCOPE_APIS's JSON), and the API list on its own.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "connector/connector_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // "@file" reads the disk (and "@/dev/zero" forever): only in-memory lists are fuzzed.
  if (input.empty() || input.front() != '@') {
    (void)gatescope::connector::ParseApiList(input.substr(0, 4096));
  }
  (void)gatescope::connector::ParseLocation("GATESCOPE_SPILL", input.substr(0, 256));
  std::map<std::string, std::string> env;
  while (!input.empty()) {
    size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string value(line.substr(eq + 1));
    // A file reference would read the disk: keep the fuzzer to in-memory values.
    if (!value.empty() && value.front() == '@') continue;
    env[std::string(line.substr(0, eq))] = value;
  }
  (void)gatescope::connector::LoadConnectorConfig(env);
  return 0;
}
