#include "aws/retry.h"
