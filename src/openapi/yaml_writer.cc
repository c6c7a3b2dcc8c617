// Placeholder: implemented in issue 7.
#include "openapi/yaml_writer.h"
