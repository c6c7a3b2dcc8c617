// Placeholder: implemented in issue 7.
#include "ingest/transaction_reader.h"
