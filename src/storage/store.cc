// Placeholder: implemented in issue 7.
#include "storage/store.h"
