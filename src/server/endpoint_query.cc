// Placeholder: implemented in issue 7.
#include "server/endpoint_query.h"
