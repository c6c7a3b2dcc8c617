#include "aws/cloudwatch_logs_client.h"
