#include "tests/support/moto_server.h"
