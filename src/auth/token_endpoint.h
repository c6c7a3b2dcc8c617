#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/client_registry.h"
#include "auth/token_signer.h"

namespace gatescope::auth {

struct HttpAnswer {
  int status = 200;
  std::string body;  // JSON.
  std::string www_authenticate;  // Set on 401.
};

// POST /oauth2/token, the client-credentials grant (RFC 6749 §4.4): client authentication by
// HTTP Basic (client_secret_basic) or by client_id/client_secret in the form
// (client_secret_post); grant_type=client_credentials; optional `scope` (a subset of the
// client's scopes; all of them when absent). Answers RFC 6749 §5.1 JSON
// {"access_token","token_type":"Bearer","expires_in","scope"} with Cache-Control: no-store, or
// §5.2 errors: invalid_request (400), invalid_client (401 with WWW-Authenticate),
// unsupported_grant_type (400), invalid_scope (400). Never echoes a secret.
HttpAnswer HandleTokenRequest(const ClientRegistry& clients, const TokenSigner& signer,
                              std::string_view authorization_header,
                              std::string_view content_type, std::string_view body);

// Checks a request's "Authorization: Bearer <token>" against `required` scopes. 200 with the
// claims' client id in `body` when allowed; 401 (missing, malformed, expired or forged token,
// with WWW-Authenticate: Bearer error="invalid_token") or 403 (valid token without the scope,
// error="insufficient_scope") with a JSON error body otherwise.
HttpAnswer AuthorizeBearer(const TokenSigner& signer, std::string_view authorization_header,
                           uint32_t required);

}  // namespace gatescope::auth
