// Placeholder: implemented in issue 7.
#include "server/http_server.h"
