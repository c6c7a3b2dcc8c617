#pragma once

#include <map>
#include <string>

namespace gatescope::env {

// A snapshot of the process environment (`environ`) as name -> value. Code reads its settings
// from such a map, never from getenv(), so that tests pass their own variables.
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace gatescope::env
