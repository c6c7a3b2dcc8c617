#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "storage/store.h"

namespace gatescope::storage {

// The embedded store: one SQLite file in WAL mode, one connection guarded by a mutex.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               const StoreOptions& options);

}  // namespace gatescope::storage
