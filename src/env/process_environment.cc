#include "env/process_environment.h"

#include <string_view>

extern char** environ;

namespace gatescope::env {

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    vars.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return vars;
}

}  // namespace gatescope::env
