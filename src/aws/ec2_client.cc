#include "aws/ec2_client.h"
