// Placeholder: implemented in issue 7.
#include "storage/sqlite_store.h"
