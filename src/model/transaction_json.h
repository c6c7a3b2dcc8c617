#pragma once

#include <string>

#include "model/http_transaction.h"

namespace gatescope::model {

// Serializes one transaction as a single-line JSON object (format "gatescope.transaction/v1",
// documented in docs/specs/transaction.md): identity, request, response, integration,
// authorization, timing and completeness. Empty fields are left out. Values of headers that
// carry credentials (Authorization, Cookie, Set-Cookie, X-Api-Key, X-Amz-Security-Token,
// Proxy-Authorization), and of any header holding a JSON Web Token, are replaced by
// "[REDACTED]"; their names are kept.
std::string TransactionToJson(const HttpTransaction& tx);

// True for header names whose values are credentials (compared ignoring case).
bool IsCredentialHeader(std::string_view name);

}  // namespace gatescope::model
