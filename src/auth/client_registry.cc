// Placeholder: implemented in issue 7.
#include "auth/client_registry.h"
