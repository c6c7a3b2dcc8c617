#pragma once

#include <vector>

#include "model/http_transaction.h"

namespace gatescope::testing {

// Every transaction the fixtures under tests/fixtures rebuild: the REST execution-log samples
// and generated logs (through ExecutionAssembler), and every parseable line of the access-log
// fixtures (through AccessLogParser). Needs GS_FIXTURES (set by gatescope_add_test).
std::vector<model::HttpTransaction> FixtureTransactions();

// Hand-built transactions that set every field of HttpTransaction, with truncated values,
// invalid UTF-8, control characters and JWT-looking header values.
std::vector<model::HttpTransaction> HandBuiltTransactions();

}  // namespace gatescope::testing
