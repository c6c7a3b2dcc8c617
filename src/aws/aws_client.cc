#include "aws/aws_client.h"
