#pragma once

#include <string>
#include <string_view>

#include "model/http_transaction.h"

namespace gatescope::model {

// Serializes one transaction as a single-line JSON object (format "gatescope.transaction/v1",
// documented in docs/specs/transaction.md): identity, request, response, integration,
// authorization, timing and completeness. Empty fields are left out. Values of headers that
// carry credentials (Authorization, Cookie, Set-Cookie, X-Api-Key, X-Amz-Security-Token,
// Proxy-Authorization), and of any header holding a JSON Web Token, are replaced by
// "[REDACTED]"; their names are kept.
//
// Log text is not always valid UTF-8: each invalid sequence becomes U+FFFD. Control characters
// are escaped (\b \f \n \r \t, else \u00XX); '/' and valid non-ASCII UTF-8 are written as they
// are. The bytes are exactly those of nlohmann::ordered_json's dump() with
// error_handler_t::replace, which this writer replaced (tests/transform/transaction_json_test.cc
// holds that reference and compares).
std::string TransactionToJson(const HttpTransaction& tx);

// Appends TransactionToJson(tx) to `*out`, without a newline. With a reused `out` (clear() keeps
// its capacity) a warm writer does not allocate: this is the connector's hot path.
void AppendTransactionJson(const HttpTransaction& tx, std::string* out);

// Appends `value` to `*out` as a quoted JSON string, escaped as described above.
void AppendJsonString(std::string_view value, std::string* out);

// True for header names whose values are credentials (compared ignoring case).
bool IsCredentialHeader(std::string_view name);

// True when `value` holds a JSON Web Token anywhere: "eyJ" (base64url of '{"') starting at
// least two base64url segments of four or more characters joined by dots. Custom headers
// carry tokens in the clear, so such values are redacted whatever the header's name.
bool ContainsJwt(std::string_view value);

}  // namespace gatescope::model
