#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "storage/store.h"

namespace gatescope::storage {

// The shared store: PostgreSQL through libpqxx, a small pool of connections. Several servers
// may use one database at once.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const StoreOptions& options);

}  // namespace gatescope::storage
