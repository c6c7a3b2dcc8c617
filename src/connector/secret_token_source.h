#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "delivery/token_source.h"
#include "env/http_client.h"

namespace gatescope::connector {

// Reads the current client secret (GATESCOPE_OAUTH_CLIENT_SECRET_ARN: Secrets Manager
// GetSecretValue). Its result is never logged.
using SecretFetcher = std::function<Result<std::string>()>;

// The client secret in a secret's SecretString: the value of "client_secret" when the string is
// a JSON object holding one (the console's key/value form), else the whole string without a
// trailing newline (a plain-text secret, as the connector stack stores it).
std::string ClientSecretFromSecretString(std::string_view secret_string);

// The OAuth2 client credentials grant of delivery::NewOAuth2ClientCredentials, with the client
// secret read through `fetch` on first use (never at construction, so a Lambda INIT stays off
// the network) and kept for the life of the process. When the token endpoint refuses the
// credentials (kPermissionDenied: 400/401/403, a rotated secret) the secret is read again, at
// most once a minute, and the token fetched again once if it changed. `options.client_secret` is
// ignored. `http` and `clock` must outlive the source.
//
// Thread-safety: thread-safe, as every TokenSource.
std::unique_ptr<delivery::TokenSource> NewSecretBackedOAuth2(delivery::OAuth2Options options,
                                                             SecretFetcher fetch,
                                                             env::HttpClient& http,
                                                             const Clock& clock);

}  // namespace gatescope::connector
