#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gatescope::server {

// The dashboard's build output (web/dist: index.html, assets/*), as the server sends it.
struct DashboardFile {
  std::string content_type;
  std::string body;
  std::string gzip;  // The build's precompressed copy; empty when it had none.
  std::string etag;  // Quoted, from the content's SHA-256.
};

// The dashboard's files by URL path ("/index.html", "/assets/index-3f2a.js").
//
// Thread-safety: immutable once built; Find() from any thread.
class DashboardAssets {
 public:
  // The copy embedded in the binary at build time; empty when built with GS_DASHBOARD=OFF.
  static DashboardAssets Embedded();
  // A dist directory read from disk (--dashboard-dir): every file and its ".gz" sibling.
  // An error names the directory when it has no index.html.
  static Result<DashboardAssets> FromDirectory(const std::string& dir);

  const DashboardFile* Find(std::string_view path) const;
  bool empty() const { return files_.empty(); }

  // Adds a file; `gzip` may be empty; `sha256` (hex) when known, else computed. Content type
  // from the extension.
  void Add(std::string path, std::string body, std::string gzip, std::string_view sha256 = {});

 private:
  std::map<std::string, DashboardFile, std::less<>> files_;
};

// The Content-Type for a file name's extension ("application/octet-stream" when unknown).
std::string_view ContentTypeFor(std::string_view name);

}  // namespace gatescope::server
