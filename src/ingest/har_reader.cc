// Placeholder: implemented in issue 7.
#include "ingest/har_reader.h"
