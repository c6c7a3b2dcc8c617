#include "aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "core/check.h"
#include "env/url.h"

namespace gatescope::aws {
namespace {

// Steps follow "Create a signed AWS API request" (IAM User Guide, reference_sigv-create-signed-
// request.html); case names in comments refer to tests/aws/sigv4_vectors/.

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kAuthorization = "authorization";
constexpr std::string_view kContentSha256 = "x-amz-content-sha256";
constexpr std::string_view kDate = "x-amz-date";
constexpr std::string_view kSecurityToken = "x-amz-security-token";

std::string HexEncode(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 15]);
  }
  return out;
}

// Raw 32-byte HMAC-SHA256. The one-shot HMAC() is not deprecated in OpenSSL 3 (only HMAC_CTX
// is), and it only fails on allocation failure, after which nothing we sign is trustworthy.
std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_size = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &out_size);
  GS_CHECK(result != nullptr && out_size == 32);
  return std::string(reinterpret_cast<const char*>(out), out_size);
}

// "20150830T123600Z" and "20150830" in UTC.
std::pair<std::string, std::string> AmzDateAndDay(std::chrono::system_clock::time_point time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto days = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day ymd(days);
  const std::chrono::hh_mm_ss hms(seconds - days);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  std::string amz_date(buf);
  return {amz_date, amz_date.substr(0, 8)};
}

// The canonical URI. Every service but S3 normalizes the path (removes "." and ".." segments
// and empty segments, as in get-slashes-normalized "//example//" -> "/example/") and encodes
// each segment once more, so "/a%20b" signs as "/a%2520b" (botocore-2011/get-space). S3 signs
// the path as sent, segment by segment, encoded exactly once: escapes are decoded and the
// segment encoded again, so "/a b" and "/a%20b" both sign as "/a%20b" and an encoded '/' in a
// key stays "%2F".
std::string CanonicalUri(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  bool trailing_slash = path.back() == '/';
  size_t pos = 1;  // env::ParseUrl paths start with '/'.
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(pos, end - pos);
    if (!normalize) {
      segments.push_back(segment);
    } else if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    // RFC 3986 section 5.2.4: a final "." or ".." names a directory.
    if (end == path.size() && (segment == "." || segment == "..")) trailing_slash = true;
    pos = end + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out.push_back('/');
    out += env::UriEncode(normalize ? std::string(segment)
                                    : PercentDecode(segment, /*plus_is_space=*/false));
  }
  if (normalize && (out.empty() || trailing_slash)) out.push_back('/');
  return out;
}

// Decodes each name and value and encodes it again, so that a query written with or without
// escapes signs the same way; then sorts by name, then value (byte order of the encoded forms,
// as in get-vanilla-query-order-encoded). "a" without '=' is "a=".
std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view item = query.substr(pos, end - pos);
    if (!item.empty()) {
      const size_t eq = item.find('=');
      const std::string_view name = item.substr(0, eq);
      const std::string_view value =
          eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
      pairs.emplace_back(env::UriEncode(PercentDecode(name, /*plus_is_space=*/false)),
                         env::UriEncode(PercentDecode(value, /*plus_is_space=*/false)));
    }
    pos = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

// Trims the value and collapses each inner run of whitespace to one space
// (get-header-value-trim: ' "a   b   c"' -> '"a b c"').
std::string CanonicalHeaderValue(std::string_view value) {
  value = TrimAsciiSpace(value);
  std::string out;
  out.reserve(value.size());
  bool in_space = false;
  for (char c : value) {
    if (IsAsciiSpace(c)) {
      in_space = true;
      continue;
    }
    if (in_space) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

bool HasHeader(const std::vector<env::HttpHeader>& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(), [&](const env::HttpHeader& h) {
    return EqualsIgnoreCase(h.name, lower_name);
  });
}

void RemoveHeader(std::vector<env::HttpHeader>& headers, std::string_view lower_name) {
  std::erase_if(headers,
                [&](const env::HttpHeader& h) { return EqualsIgnoreCase(h.name, lower_name); });
}

}  // namespace

Result<SigV4Parts> ComputeSigV4(const env::HttpRequest& request, const AwsCredentials& credentials,
                                const SigV4Params& params) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return InvalidArgumentError("SigV4: credentials from '" + credentials.source +
                                "' have no access key id or secret key");
  }
  if (params.region.empty() || params.service.empty()) {
    return InvalidArgumentError("SigV4: region and service must be set");
  }
  GS_ASSIGN_OR_RETURN(const env::Url url, env::ParseUrl(request.url));
  const auto [amz_date, day] = AmzDateAndDay(params.time);

  // Lower-cased names, each with its values in request order (get-header-value-order), joined
  // with ',' (get-header-key-duplicate). Authorization is never signed: it carries the result,
  // and skipping it lets a signed request be checked again.
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(request.headers.size() + 1);
  std::string_view payload_hash_header;
  bool has_payload_hash = false;
  for (const env::HttpHeader& header : request.headers) {
    std::string name = header.name;
    LowerAsciiInPlace(name);
    if (name == kAuthorization) continue;
    if (name == kDate && TrimAsciiSpace(header.value) != amz_date) {
      return InvalidArgumentError("SigV4: X-Amz-Date " + header.value +
                                  " is not the signing time " + amz_date);
    }
    if (name == kContentSha256 && !has_payload_hash) {
      payload_hash_header = TrimAsciiSpace(header.value);
      has_payload_hash = true;
    }
    headers.emplace_back(std::move(name), CanonicalHeaderValue(header.value));
  }
  if (!HasHeader(request.headers, "host")) headers.emplace_back("host", url.HostHeader());
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  std::string canonical_headers;
  std::string signed_headers;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      canonical_headers.pop_back();  // The '\n' of the previous value of this name.
      canonical_headers.push_back(',');
    } else {
      if (!signed_headers.empty()) signed_headers.push_back(';');
      signed_headers += headers[i].first;
      canonical_headers += headers[i].first;
      canonical_headers.push_back(':');
    }
    canonical_headers += headers[i].second;
    canonical_headers.push_back('\n');
  }

  // A present x-amz-content-sha256 is the payload hash: S3 requires the two to agree, and it is
  // how a caller signs "UNSIGNED-PAYLOAD" (post-unsigned-payload).
  const std::string payload_hash =
      has_payload_hash ? std::string(payload_hash_header) : Sha256Hex(request.body);

  SigV4Parts parts;
  parts.canonical_request = request.method;
  parts.canonical_request += '\n';
  parts.canonical_request += CanonicalUri(url.path, params.normalize_path);
  parts.canonical_request += '\n';
  parts.canonical_request += CanonicalQuery(url.query);
  parts.canonical_request += '\n';
  parts.canonical_request += canonical_headers;
  parts.canonical_request += '\n';
  parts.canonical_request += signed_headers;
  parts.canonical_request += '\n';
  parts.canonical_request += payload_hash;

  std::string scope = day;
  scope += '/';
  scope += params.region;
  scope += '/';
  scope += params.service;
  scope += "/aws4_request";

  parts.string_to_sign = std::string(kAlgorithm) + '\n' + amz_date + '\n' + scope + '\n' +
                         Sha256Hex(parts.canonical_request);

  std::string key = HmacSha256("AWS4" + credentials.secret_access_key, day);
  key = HmacSha256(key, params.region);
  key = HmacSha256(key, params.service);
  key = HmacSha256(key, "aws4_request");
  const std::string signature = HmacSha256(key, parts.string_to_sign);
  parts.signature =
      HexEncode(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());

  parts.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + '/' +
                        scope + ", SignedHeaders=" + signed_headers +
                        ", Signature=" + parts.signature;
  return parts;
}

Status SignRequest(env::HttpRequest& request, const AwsCredentials& credentials,
                   const SigV4Params& params) {
  GS_ASSIGN_OR_RETURN(const env::Url url, env::ParseUrl(request.url));
  // New headers go into a copy (the body, possibly large, is not copied), swapped in for
  // ComputeSigV4 and back out on failure, so that a failure leaves `request` as it was.
  std::vector<env::HttpHeader> headers = request.headers;
  RemoveHeader(headers, kAuthorization);
  RemoveHeader(headers, kDate);
  // Also when the new credentials have no token: a stale one would be rejected.
  RemoveHeader(headers, kSecurityToken);
  if (params.add_content_sha256) RemoveHeader(headers, kContentSha256);

  if (!HasHeader(headers, "host")) headers.push_back({"Host", url.HostHeader()});
  headers.push_back({"X-Amz-Date", AmzDateAndDay(params.time).first});
  if (!credentials.session_token.empty()) {
    headers.push_back({"X-Amz-Security-Token", credentials.session_token});
  }
  if (params.add_content_sha256) {
    headers.push_back({"x-amz-content-sha256", Sha256Hex(request.body)});
  }
  request.headers.swap(headers);
  Result<SigV4Parts> parts = ComputeSigV4(request, credentials, params);
  if (!parts.ok()) {
    request.headers.swap(headers);
    return parts.status();
  }
  request.headers.push_back({"Authorization", std::move(parts->authorization)});
  return Status::Ok();
}

}  // namespace gatescope::aws
