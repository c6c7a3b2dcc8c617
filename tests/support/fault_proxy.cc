#include "tests/support/fault_proxy.h"
