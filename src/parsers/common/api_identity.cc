#include "parsers/common/api_identity.h"

namespace gatescope::parsers {

using model::HttpTransaction;

bool LooksLikeApiId(std::string_view s) {
  if (s.size() != 10) return false;
  bool digit = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c < 'a' || c > 'z') {
      return false;
    }
  }
  return digit;
}

void ApplyDomainName(HttpTransaction* tx) {
  static constexpr std::string_view kMarker = ".execute-api.";
  std::string_view d = tx->domain_name;
  size_t m = d.find(kMarker);
  if (m == std::string_view::npos) return;
  if (tx->api_id.empty()) tx->api_id.assign(d.substr(0, m));
  if (tx->region.empty()) {
    std::string_view rest = d.substr(m + kMarker.size());
    tx->region.assign(rest.substr(0, rest.find('.')));
  }
}

void ApplyLogGroup(std::string_view group, HttpTransaction* tx) {
  if (!tx->api_id.empty() || group.empty()) return;
  static constexpr std::string_view kExecution = "API-Gateway-Execution-Logs_";
  if (group.substr(0, kExecution.size()) == kExecution) {
    std::string_view rest = group.substr(kExecution.size());
    size_t slash = rest.find('/');
    tx->api_id.assign(rest.substr(0, slash));
    if (tx->stage.empty() && slash != std::string_view::npos) tx->stage.assign(rest.substr(slash + 1));
    return;
  }
  size_t pos = 0;
  while (pos <= group.size()) {
    size_t end = group.find('/', pos);
    if (end == std::string_view::npos) end = group.size();
    if (LooksLikeApiId(group.substr(pos, end - pos))) {
      tx->api_id.assign(group.substr(pos, end - pos));
      if (tx->stage.empty() && end < group.size()) {
        std::string_view rest = group.substr(end + 1);
        tx->stage.assign(rest.substr(0, rest.find('/')));
      }
      return;
    }
    pos = end + 1;
  }
}

}  // namespace gatescope::parsers
