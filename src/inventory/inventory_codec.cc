// Placeholder: implemented in issue 7.
#include "inventory/inventory_codec.h"
