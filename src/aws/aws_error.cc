#include "aws/aws_error.h"
