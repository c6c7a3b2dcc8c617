#pragma once

#include <string_view>

#include "model/http_transaction.h"

namespace gatescope::parsers {

// Fills api_id and region from an execute-api domain name
// ("{api-id}.execute-api.{region}.amazonaws.com"), when they are empty.
void ApplyDomainName(model::HttpTransaction* tx);

// Fills api_id and stage from a log group name when they are empty:
// "API-Gateway-Execution-Logs_{api-id}/{stage}", or any group with a path segment shaped
// like an API id (10 lower-case letters and digits, at least one digit) followed by the stage,
// e.g. "/aws/apigateway/a1b2c3d4e5/prod".
void ApplyLogGroup(std::string_view log_group, model::HttpTransaction* tx);

// True for a string shaped like an API Gateway API id: 10 lower-case letters and digits, at
// least one digit.
bool LooksLikeApiId(std::string_view s);

}  // namespace gatescope::parsers
