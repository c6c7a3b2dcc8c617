// Placeholder: implemented in issue 7.
#include "server/server_config.h"
