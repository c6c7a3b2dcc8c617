#include "aws/sigv4.h"
