#include "aws/aws_environment.h"
