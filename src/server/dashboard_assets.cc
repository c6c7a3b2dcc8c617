#include "server/dashboard_assets.h"

#include <filesystem>
#include <system_error>

#include "core/sha256.h"
#include "env/durable_file.h"
#include "server/embedded_dashboard.h"

namespace gatescope::server {

std::string_view ContentTypeFor(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext) return type;
  }
  return "application/octet-stream";
}

void DashboardAssets::Add(std::string path, std::string body, std::string gzip,
                          std::string_view sha256) {
  DashboardFile file;
  file.content_type.assign(ContentTypeFor(path));
  file.etag = "\"" + std::string(sha256.empty() ? Sha256Hex(body) : sha256).substr(0, 32) + "\"";
  file.body = std::move(body);
  file.gzip = std::move(gzip);
  files_.insert_or_assign(std::move(path), std::move(file));
}

const DashboardFile* DashboardAssets::Find(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

DashboardAssets DashboardAssets::Embedded() {
  DashboardAssets assets;
  for (const embedded::File& f : embedded::DashboardFiles()) {
    assets.Add(f.path, std::string(f.body, f.body_size),
               f.gzip == nullptr ? std::string() : std::string(f.gzip, f.gzip_size), f.sha256);
  }
  return assets;
}

Result<DashboardAssets> DashboardAssets::FromDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "index.html", ec)) {
    return InvalidArgumentError(dir + " has no index.html (build it: cd web && npm run build)");
  }
  DashboardAssets assets;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().extension() == ".gz") continue;
    Result<std::string> body = env::ReadWholeFile(it->path().string());
    if (!body.ok()) return InvalidArgumentError("cannot read " + it->path().string());
    Result<std::string> gzip = env::ReadWholeFile(it->path().string() + ".gz");
    std::string url = "/" + fs::relative(it->path(), dir, ec).generic_string();
    assets.Add(std::move(url), std::move(body).value(), gzip.ok() ? std::move(gzip).value() : "");
  }
  if (ec) return InvalidArgumentError("cannot list " + dir + ": " + ec.message());
  return assets;
}

}  // namespace gatescope::server
