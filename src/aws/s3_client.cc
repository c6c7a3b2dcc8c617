#include "aws/s3_client.h"
