#include "storage/store.h"

#include <string>

#include "storage/postgres_store.h"
#include "storage/sqlite_store.h"

namespace gatescope::storage {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Replaces the value of every "password=" query parameter (libpq accepts it in a URI too).
std::string RedactPasswordParameters(std::string url) {
  static constexpr std::string_view kParam = "password=";
  size_t pos = 0;
  while ((pos = url.find(kParam, pos)) != std::string::npos) {
    const bool at_parameter_start =
        pos == 0 || url[pos - 1] == '?' || url[pos - 1] == '&' || url[pos - 1] == ' ';
    const size_t value_start = pos + kParam.size();
    if (!at_parameter_start) {
      pos = value_start;
      continue;
    }
    size_t value_end = url.find_first_of("& ", value_start);
    if (value_end == std::string::npos) value_end = url.size();
    url.replace(value_start, value_end - value_start, "***");
    pos = value_start + 3;
  }
  return url;
}

}  // namespace

Status ValidateBatch(const BatchRecord& batch) {
  if (batch.key.empty()) return InvalidArgumentError("batch key is empty");
  for (size_t i = 0; i < batch.ids.size(); ++i) {
    if (batch.ids[i].size() != 32) {
      return InvalidArgumentError("batch ids[" + std::to_string(i) + "] is " +
                                  std::to_string(batch.ids[i].size()) + " bytes, not 32");
    }
  }
  return Status::Ok();
}

std::string RedactStoreUrl(std::string_view url) {
  std::string out(url);
  const size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    // The authority ends at the first '/', '?' or '#'; user info is what precedes its last '@'.
    const size_t authority_start = scheme_end + 3;
    size_t authority_end = out.find_first_of("/?#", authority_start);
    if (authority_end == std::string::npos) authority_end = out.size();
    const size_t at = out.rfind('@', authority_end);
    if (at != std::string::npos && at >= authority_start) {
      const size_t colon = out.find(':', authority_start);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  return RedactPasswordParameters(std::move(out));
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options) {
  if (url.empty()) return InvalidArgumentError("store URL is empty");
  if (StartsWith(url, "postgresql://") || StartsWith(url, "postgres://")) {
    return OpenPostgresStore(std::string(url), options);
  }
  if (StartsWith(url, "sqlite:")) {
    std::string_view path = url.substr(std::string_view("sqlite:").size());
    // "sqlite:///var/lib/x.db" is the absolute path "/var/lib/x.db", as in SQLAlchemy-style
    // URLs; "sqlite://x.db" is the relative path "x.db".
    if (StartsWith(path, "//")) path.remove_prefix(2);
    if (path.empty()) {
      return InvalidArgumentError("store URL '" + RedactStoreUrl(url) + "' names no SQLite file");
    }
    return OpenSqliteStore(std::string(path), options);
  }
  if (url.find("://") != std::string_view::npos) {
    return InvalidArgumentError("store URL '" + RedactStoreUrl(url) +
                                "' has an unsupported scheme; use sqlite:PATH, a file path, or "
                                "postgresql://...");
  }
  return OpenSqliteStore(std::string(url), options);
}

}  // namespace gatescope::storage
