#pragma once

#include <cstddef>
#include <span>

// The dashboard files embedded in the binary: generated at build time from web/dist by
// cmake/EmbedDashboard.cmake (empty when built with GS_DASHBOARD=OFF). Read through
// DashboardAssets::Embedded(); nothing else should include this.
namespace gatescope::server::embedded {

struct File {
  const char* path;    // "/index.html"
  const char* sha256;  // Of the body, in hex.
  const char* body;
  size_t body_size;
  const char* gzip;  // nullptr when the build made no .gz sibling.
  size_t gzip_size;
};

std::span<const File> DashboardFiles();

}  // namespace gatescope::server::embedded
