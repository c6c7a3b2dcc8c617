// Placeholder: implemented in issue 7.
#include "ingest/log_payload_reader.h"
