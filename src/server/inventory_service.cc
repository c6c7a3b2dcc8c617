// Placeholder: implemented in issue 7.
#include "server/inventory_service.h"
