// Placeholder: implemented in issue 7.
#include "server/metrics.h"
