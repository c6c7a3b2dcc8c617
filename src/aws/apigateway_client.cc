#include "aws/apigateway_client.h"
