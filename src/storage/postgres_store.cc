// Placeholder: implemented in issue 7.
#include "storage/postgres_store.h"
