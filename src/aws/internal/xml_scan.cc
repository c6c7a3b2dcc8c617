#include "aws/internal/xml_scan.h"
