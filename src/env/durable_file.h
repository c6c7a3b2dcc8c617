#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/status.h"

namespace gatescope::env {

// Writes `data` to `path` so that a reader sees the old file (or none) or the whole new one,
// never a part, even across a crash: a unique temp file in the same directory (its name ends in
// ".tmp.<pid>.<n>"), fsync, rename into place, then a best-effort fsync of the directory so the
// rename itself survives. `mode` is the new file's permission bits. Errors name the path:
// kPermissionDenied (EACCES, EPERM, EROFS), kResourceExhausted (disk or quota full), else
// kUnavailable; the temp file is removed on failure.
Status WriteFileDurably(const std::string& path, std::string_view data, int mode = 0600);

// The whole file; kNotFound when it does not exist, other errors as above.
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace gatescope::env
