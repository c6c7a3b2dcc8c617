#include "env/http_client.h"
