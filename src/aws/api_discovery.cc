#include "aws/api_discovery.h"
