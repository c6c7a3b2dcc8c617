#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace gatescope::transform {

// The content types whose transactions are kept by default (RE2, partial match against a
// Content-Type value such as "application/json; charset=utf-8", ignoring case): JSON, XML
// (text/xml, application/xml, application/soap+xml and every "+json" / "+xml" structured-syntax
// suffix type such as application/problem+json), application/x-www-form-urlencoded and HTML.
inline constexpr std::string_view kDefaultContentTypeRegex =
    R"re((?i)^\s*(?:application/(?:json|xml|x-www-form-urlencoded|)re"
    R"re([a-z0-9.!#$&^_+-]+\+(?:json|xml))|text/(?:json|xml|html))\s*(?:;|$))re";

// Request paths of static files, dropped by default (RE2, partial match against the path without
// the query, ignoring case, anchored at the end): style sheets, scripts and source maps, images,
// fonts, documents (PDF, office), archives, and audio/video media.
inline constexpr std::string_view kDefaultStaticFileRegex =
    R"re((?i)\.(?:)re"
    R"re(css|less|scss|js|mjs|cjs|map|)re"                      // Styles, scripts.
    R"re(png|jpe?g|gif|bmp|ico|svgz?|webp|avif|tiff?|heic|)re"  // Images.
    R"re(woff2?|ttf|otf|eot|)re"                                // Fonts.
    R"re(pdf|docx?|xlsx?|pptx?|odt|ods|odp|rtf|csv|)re"         // Documents.
    R"re(zip|gz|tgz|tar|bz2|xz|7z|rar|jar|)re"                  // Archives.
    R"re(mp3|wav|ogg|oga|flac|aac|m4a|weba|mp4|m4v|webm|avi|mov|mkv|mpe?g|flv|wmv|swf)re"  // Media.
    R"re()$)re";

// Bounds of TransformOptions::max_body_bytes. Above the maximum a single transaction could no
// longer fit the collector's 1,000,000-byte batches.
inline constexpr size_t kMinMaxBodyBytes = 1;
inline constexpr size_t kMaxMaxBodyBytes = 256 * 1024;

// Options of the connector's Filter stage (TransactionTransformer). Defaults follow an API
// security product's expectations: keep API content types only, drop static files, ship bodies
// of at most 1 KiB, redact credentials.
struct TransformOptions {
  // Transactions whose content type does not match are filtered out. RE2 syntax; empty
  // disables the filter.
  std::string content_type_regex = std::string(kDefaultContentTypeRegex);
  // Transactions whose request path matches are filtered out. RE2 syntax; empty disables.
  std::string static_file_regex = std::string(kDefaultStaticFileRegex);
  // Bodies longer than this, or truncated by the log, are replaced by an indicator body.
  // Range [kMinMaxBodyBytes, kMaxMaxBodyBytes].
  size_t max_body_bytes = 1024;
  // Extra header names whose values are redacted (compared ignoring case), on top of the
  // credential headers (model::IsCredentialHeader) and any value holding a JWT.
  std::vector<std::string> redact_headers;
  // Extra query parameter names whose values are redacted (compared ignoring case), on top of
  // kCredentialQueryParams.
  std::vector<std::string> redact_query_params;
};

// Query parameter names always redacted (compared ignoring case): OAuth tokens and codes, API
// keys, passwords and secrets, request signatures (including SigV4 presigned URLs).
inline constexpr std::string_view kCredentialQueryParams[] = {"access_token",
                                                              "id_token",
                                                              "refresh_token",
                                                              "token",
                                                              "api_key",
                                                              "apikey",
                                                              "password",
                                                              "passwd",
                                                              "secret",
                                                              "client_secret",
                                                              "signature",
                                                              "sig",
                                                              "x-amz-signature",
                                                              "x-amz-credential",
                                                              "x-amz-security-token",
                                                              "code"};

// Checks `options` without building anything: ranges, non-empty redaction names, and that both
// regexes compile with RE2. Returns kInvalidArgument with a message that starts with the
// option's name, e.g. "content_type_regex: missing ): (abc"; never echoes anything else.
Status ValidateTransformOptions(const TransformOptions& options);

}  // namespace gatescope::transform
