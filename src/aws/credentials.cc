#include "aws/credentials.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <exception>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/aws_client.h"
#include "aws/aws_error.h"
#include "aws/internal/xml_scan.h"
#include "aws/retry.h"
#include "core/ascii.h"
#include "core/logging.h"
#include "core/time_format.h"
#include "env/url.h"

namespace gatescope::aws {
namespace {

using std::chrono::system_clock;

// Temporary credentials are replaced this long before they expire, as the SDKs do, so that a
// request signed now does not reach the service after they lapsed.
constexpr auto kRefreshMargin = std::chrono::minutes(5);

std::string_view Trim(std::string_view s) { return TrimAsciiSpace(s); }

std::string JoinReasons(const std::vector<std::string>& reasons) {
  std::string out;
  for (const std::string& r : reasons) {
    if (!out.empty()) out += "; ";
    out += r;
  }
  return out;
}

// "2024-01-02T03:04:05Z" (STS, IMDS, ECS all send UTC with a 'Z'; offsets are accepted too).
Result<system_clock::time_point> ParseExpiration(std::string_view text, std::string_view where) {
  text = Trim(text);
  size_t consumed = 0;
  std::optional<int64_t> ms = ParseIso8601Prefix(text, &consumed);
  if (!ms || consumed != text.size()) {
    return ParseError(std::string(where) + ": Expiration is not an ISO 8601 time");
  }
  return system_clock::time_point(std::chrono::milliseconds(*ms));
}

Status Validate(const AwsCredentials& c, std::string_view where) {
  if (c.access_key_id.empty()) return ParseError(std::string(where) + ": no access key id");
  if (c.secret_access_key.empty()) {
    return ParseError(std::string(where) + ": no secret access key");
  }
  return Status::Ok();
}

// Fetches a fresh set of temporary credentials from one source. The RefreshingProvider calls
// Fetch() from one thread at a time.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual Result<AwsCredentials> Fetch() = 0;
};

// Caches what a Fetcher returns until kRefreshMargin before it expires.
//
// Two locks: `refresh_mu_` lets one thread fetch at a time while the others wait for its
// result instead of fetching too; `mu_` guards only the cached value, so Invalidate() and
// readers of still-fresh credentials never wait behind a slow fetch.
class RefreshingProvider final : public CredentialsProvider {
 public:
  RefreshingProvider(std::unique_ptr<Fetcher> fetcher, Clock& clock)
      : fetcher_(std::move(fetcher)), clock_(clock) {}

  Result<AwsCredentials> Get() override {
    if (std::optional<AwsCredentials> fresh = FreshCached()) return *std::move(fresh);
    std::lock_guard<std::mutex> refresh_lock(refresh_mu_);
    // Another thread may have refreshed while this one waited.
    if (std::optional<AwsCredentials> fresh = FreshCached()) return *std::move(fresh);

    Result<AwsCredentials> fetched = fetcher_->Fetch();
    std::lock_guard<std::mutex> lock(mu_);
    if (fetched.ok()) {
      cached_ = *fetched;
      return fetched;
    }
    // Static stability, as the SDKs do: an endpoint hiccup must not fail requests while the
    // credentials in hand still work. The next Get() tries to refresh again.
    if (cached_.has_value() && (!cached_->expiration || clock_.Now() < *cached_->expiration)) {
      Logger::Get().Log(LogLevel::kWarning,
                        "Credential refresh failed; using cached credentials until they expire.",
                        {{"source", cached_->source}, {"error", fetched.status().ToString()}});
      return *cached_;
    }
    return fetched.status();
  }

  void Invalidate() override {
    std::lock_guard<std::mutex> lock(mu_);
    cached_.reset();
  }

 private:
  std::optional<AwsCredentials> FreshCached() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!cached_.has_value()) return std::nullopt;
    if (cached_->expiration && clock_.Now() + kRefreshMargin >= *cached_->expiration) {
      return std::nullopt;
    }
    return cached_;
  }

  const std::unique_ptr<Fetcher> fetcher_;  // Called only with refresh_mu_ held.
  Clock& clock_;
  std::mutex refresh_mu_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;  // Guarded by mu_.
};

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(AwsCredentials credentials) : credentials_(std::move(credentials)) {
    if (credentials_.source.empty()) credentials_.source = "static";
  }
  Result<AwsCredentials> Get() override {
    GS_RETURN_IF_ERROR(Validate(credentials_, credentials_.source));
    return credentials_;
  }
  void Invalidate() override {}

 private:
  AwsCredentials credentials_;
};

// kNotFound when the variables are absent (the chain moves on); kInvalidArgument when only
// half of a key pair is set, which is a mistake the chain must not paper over with other keys.
Result<AwsCredentials> CredentialsFromEnvironment(const AwsEnvironment& env) {
  AwsCredentials c;
  c.access_key_id = std::string(Trim(env.Get("AWS_ACCESS_KEY_ID")));
  c.secret_access_key = std::string(Trim(env.Get("AWS_SECRET_ACCESS_KEY")));
  c.session_token = std::string(Trim(env.Get("AWS_SESSION_TOKEN")));
  c.source = "environment";
  if (c.access_key_id.empty() && c.secret_access_key.empty()) {
    return NotFoundError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  }
  if (c.access_key_id.empty()) {
    return InvalidArgumentError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  }
  if (c.secret_access_key.empty()) {
    return InvalidArgumentError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  return c;
}

class EnvironmentProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(const AwsEnvironment& env) : env_(env) {}
  Result<AwsCredentials> Get() override { return CredentialsFromEnvironment(env_); }
  void Invalidate() override {}

 private:
  const AwsEnvironment env_;  // A copy: immutable and small.
};

std::string ProfileValue(const Profile& profile, std::string_view key) {
  auto it = profile.find(key);
  return it == profile.end() ? std::string() : std::string(Trim(it->second));
}

// The long-term keys of a profile. kNotFound when it has none (the chain moves on), with the
// reason naming a credential mechanism we do not support when the profile uses one.
Result<AwsCredentials> CredentialsFromProfile(const Profile& profile, std::string_view name) {
  AwsCredentials c;
  c.access_key_id = ProfileValue(profile, "aws_access_key_id");
  c.secret_access_key = ProfileValue(profile, "aws_secret_access_key");
  c.session_token = ProfileValue(profile, "aws_session_token");
  c.source = "profile " + std::string(name);
  if (c.access_key_id.empty()) {
    for (std::string_view key : {"credential_process", "sso_session", "sso_start_url",
                                 "web_identity_token_file", "login_session"}) {
      if (profile.find(key) != profile.end()) {
        return InvalidArgumentError("profile " + std::string(name) + " uses " + std::string(key) +
                                    ", which gatescope does not support");
      }
    }
    return NotFoundError("profile " + std::string(name) + " has no aws_access_key_id");
  }
  if (c.secret_access_key.empty()) {
    return InvalidArgumentError("profile " + std::string(name) +
                                " has aws_access_key_id but no aws_secret_access_key");
  }
  return c;
}

class ProfileProvider final : public CredentialsProvider {
 public:
  ProfileProvider(const AwsEnvironment& env, std::string name)
      : env_(env), name_(std::move(name)) {}

  // Reads the files on first success only: the keys are long-term.
  Result<AwsCredentials> Get() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (cached_) return *cached_;
    GS_ASSIGN_OR_RETURN(Profile profile, LoadProfile(env_, name_));
    if (profile.find("role_arn") != profile.end() &&
        profile.find("aws_access_key_id") == profile.end()) {
      return InvalidArgumentError("profile " + name_ +
                                  " assumes a role; use the default credentials chain for it");
    }
    GS_ASSIGN_OR_RETURN(AwsCredentials c, CredentialsFromProfile(profile, name_));
    cached_ = c;
    return c;
  }
  void Invalidate() override {}

 private:
  const AwsEnvironment env_;
  const std::string name_;
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;  // Guarded by mu_.
};

bool IsTransient(const Result<env::HttpResponse>& r) {
  if (!r.ok()) return IsRetryable(r.status());
  return r->status >= 500 || r->status == 429;
}

// Sends `request` up to `attempts` times while the failure is transient. The endpoints are
// local (link-local or loopback), so a short fixed pause is enough between attempts.
Result<env::HttpResponse> SendWithRetries(env::HttpClient& http, const env::HttpRequest& request,
                                          int attempts) {
  for (int attempt = 1;; ++attempt) {
    Result<env::HttpResponse> r = http.Send(request);
    if (attempt >= attempts || !IsTransient(r)) return r;
    RealSleeper().SleepFor(std::chrono::milliseconds(100) * attempt);
  }
}

// Reads the JSON document the container endpoint and IMDS both return. Never includes the
// body in an error: it carries the secret.
Result<AwsCredentials> ParseCredentialsJson(std::string_view body, std::string_view where,
                                            bool require_success_code) {
  try {
    nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) {
      return ParseError(std::string(where) + ": response is not a JSON object");
    }
    auto text = [&](const char* key) -> std::string {
      auto it = doc.find(key);
      return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (require_success_code && text("Code") != "Success") {
      // Code is a short status word such as "Failure"; it is not secret.
      std::string code = text("Code");
      return UnavailableError(std::string(where) + ": credentials Code is \"" + code.substr(0, 64) +
                              "\", not \"Success\"");
    }
    AwsCredentials c;
    c.access_key_id = text("AccessKeyId");
    c.secret_access_key = text("SecretAccessKey");
    c.session_token = text("Token");
    c.source = std::string(where);
    GS_RETURN_IF_ERROR(Validate(c, where));
    std::string expiration = text("Expiration");
    if (expiration.empty()) {
      return ParseError(std::string(where) + ": response has no Expiration");
    }
    GS_ASSIGN_OR_RETURN(c.expiration, ParseExpiration(expiration, where));
    return c;
  } catch (const std::exception&) {
    return ParseError(std::string(where) + ": unreadable credentials JSON");
  }
}

// The ECS task role endpoint and the hosts the SDKs let AWS_CONTAINER_CREDENTIALS_FULL_URI name
// over plain http: loopback, and the ECS (169.254.170.2) and EKS Pod Identity (169.254.170.23,
// fd00:ec2::23) agents. Anything else could be an attacker-chosen host receiving the token.
// Hosts are not resolved: only the literal "localhost" counts as a loopback name.
bool IsAllowedHttpHost(std::string_view host) {
  if (EqualsIgnoreCase(host, "localhost") || host == "::1" || host == "169.254.170.2" ||
      host == "169.254.170.23" || EqualsIgnoreCase(host, "fd00:ec2::23")) {
    return true;
  }
  // 127.0.0.0/8 as a dotted quad.
  int octets = 0;
  size_t pos = 0;
  int first = -1;
  while (pos <= host.size()) {
    size_t end = host.find('.', pos);
    if (end == std::string_view::npos) end = host.size();
    std::string_view part = host.substr(pos, end - pos);
    int value = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || part.size() > 3 || ec != std::errc() || ptr != part.data() + part.size() ||
        value > 255) {
      return false;
    }
    if (octets == 0) first = value;
    ++octets;
    pos = end + 1;
  }
  return octets == 4 && first == 127;
}

class ContainerFetcher final : public Fetcher {
 public:
  ContainerFetcher(const AwsEnvironment& env, env::HttpClient& http) : env_(env), http_(http) {}

  Result<AwsCredentials> Fetch() override {
    GS_ASSIGN_OR_RETURN(std::string url, Url());
    env::HttpRequest request{.method = "GET", .url = url};
    request.headers.push_back({"Accept", "application/json"});
    request.timeout = std::chrono::seconds(2);
    GS_ASSIGN_OR_RETURN(std::string token, AuthorizationToken());
    if (!token.empty()) request.headers.push_back({"Authorization", std::move(token)});

    Result<env::HttpResponse> response = SendWithRetries(http_, request, /*attempts=*/3);
    if (!response.ok()) return response.status().WithContext("container credentials endpoint");
    if (response->status != 200) {
      std::string message =
          "container credentials endpoint returned HTTP " + std::to_string(response->status);
      if (response->status == 401 || response->status == 403) {
        return PermissionDeniedError(std::move(message));
      }
      return IsTransient(response) ? UnavailableError(std::move(message))
                                   : InvalidArgumentError(std::move(message));
    }
    return ParseCredentialsJson(response->body, "container", /*require_success_code=*/false);
  }

 private:
  // RELATIVE_URI first, as the SDKs do.
  Result<std::string> Url() const {
    std::string relative = env_.Get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    if (!relative.empty()) {
      if (relative.front() != '/') relative.insert(relative.begin(), '/');
      return "http://169.254.170.2" + relative;
    }
    std::string full = env_.Get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (full.empty()) {
      return NotFoundError(
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not "
          "set");
    }
    Result<env::Url> parsed = env::ParseUrl(full);
    if (!parsed.ok()) {
      return InvalidArgumentError("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid URL: " +
                                  parsed.status().message());
    }
    if (parsed->scheme != "https" && !IsAllowedHttpHost(parsed->host)) {
      return InvalidArgumentError(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI host " + parsed->host +
          " is not allowed over http: use https, a loopback address, or the ECS/EKS agent "
          "address (169.254.170.2, 169.254.170.23, fd00:ec2::23)");
    }
    return full;
  }

  // The file wins over the variable, and is read on every refresh: EKS Pod Identity rotates it.
  Result<std::string> AuthorizationToken() const {
    std::string token;
    std::string path = env_.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (!path.empty()) {
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        return InvalidArgumentError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + path);
      }
      std::ostringstream content;
      content << in.rdbuf();
      token = std::string(Trim(content.str()));
    } else {
      token = std::string(Trim(env_.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN")));
    }
    // A line break would let the token inject headers.
    if (token.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgumentError("the container authorization token contains a line break");
    }
    return token;
  }

  const AwsEnvironment env_;
  env::HttpClient& http_;
};

// IMDSv2: every call carries a session token obtained by PUT. IMDSv1 (no token) is never used:
// instances configured with HttpTokens=required refuse it, and it is the SSRF-prone variant.
class ImdsFetcher final : public Fetcher {
 public:
  ImdsFetcher(const AwsEnvironment& env, env::HttpClient& http, Clock& clock)
      : http_(http), clock_(clock), endpoint_(Endpoint(env)) {}

  Result<AwsCredentials> Fetch() override {
    // A 401 means the session token expired early (e.g. the instance was stopped and
    // started): fetch a new one once.
    for (int attempt = 0;; ++attempt) {
      Result<AwsCredentials> r = FetchOnce();
      std::lock_guard<std::mutex> lock(mu_);
      if (r.ok() || attempt == 1 || !token_rejected_) return r;
      token_rejected_ = false;
      token_.clear();
    }
  }

 private:
  static constexpr int kTokenTtlSeconds = 21600;
  static constexpr std::string_view kCredentialsPath =
      "/latest/meta-data/iam/security-credentials/";

  static std::string Endpoint(const AwsEnvironment& env) {
    std::string endpoint = env.Get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (endpoint.empty()) {
      endpoint = EqualsIgnoreCase(env.Get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"), "IPv6")
                     ? "http://[fd00:ec2::254]"
                     : "http://169.254.169.254";
    }
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    return endpoint;
  }

  env::HttpRequest Request(std::string method, std::string_view path) const {
    env::HttpRequest request{.method = std::move(method), .url = endpoint_ + std::string(path)};
    // Off EC2 nothing answers; fail fast so that the chain's error comes quickly.
    request.timeout = std::chrono::seconds(1);
    return request;
  }

  Result<std::string> Token() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!token_.empty() && clock_.MonotonicNow() < token_expiry_) return token_;
    env::HttpRequest request = Request("PUT", "/latest/api/token");
    request.headers.push_back(
        {"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(kTokenTtlSeconds)});
    auto requested_at = clock_.MonotonicNow();
    // One attempt: off EC2 this is the request that fails, and waiting longer gains nothing.
    Result<env::HttpResponse> response = http_.Send(request);
    if (!response.ok()) {
      return response.status().WithContext("IMDS token request to " + endpoint_);
    }
    if (response->status != 200 || Trim(response->body).empty()) {
      std::string message = "IMDS token request to " + endpoint_ + " returned HTTP " +
                            std::to_string(response->status) +
                            " (IMDSv2 disabled or metadata access turned off?)";
      return response->status == 403 ? PermissionDeniedError(std::move(message))
                                     : UnavailableError(std::move(message));
    }
    token_ = std::string(Trim(response->body));
    // Renew a minute early so that a token never expires between our check and IMDS's.
    token_expiry_ = requested_at + std::chrono::seconds(kTokenTtlSeconds) - std::chrono::minutes(1);
    return token_;
  }

  // GET of `path` with the session token. 401 becomes kPermissionDenied (token rejected).
  Result<std::string> Get(std::string_view path, std::string_view what) {
    GS_ASSIGN_OR_RETURN(std::string token, Token());
    env::HttpRequest request = Request("GET", path);
    request.headers.push_back({"X-aws-ec2-metadata-token", std::move(token)});
    Result<env::HttpResponse> response = SendWithRetries(http_, request, /*attempts=*/2);
    if (!response.ok()) return response.status().WithContext("IMDS " + std::string(what));
    if (response->status == 200) return std::move(response->body);
    std::string message =
        "IMDS " + std::string(what) + " returned HTTP " + std::to_string(response->status);
    switch (response->status) {
      case 401: {
        std::lock_guard<std::mutex> lock(mu_);
        token_rejected_ = true;
        return PermissionDeniedError(std::move(message) + " (session token rejected)");
      }
      case 404:
        return NotFoundError(std::move(message) + " (no IAM role attached to the instance?)");
      default:
        return UnavailableError(std::move(message));
    }
  }

  Result<AwsCredentials> FetchOnce() {
    GS_ASSIGN_OR_RETURN(std::string roles, Get(kCredentialsPath, "role list"));
    std::string_view role = Trim(std::string_view(roles).substr(0, roles.find('\n')));
    if (role.empty()) return NotFoundError("IMDS: no IAM role attached to the instance");
    GS_ASSIGN_OR_RETURN(std::string body, Get(std::string(kCredentialsPath) + env::UriEncode(role),
                                              "role credentials"));
    return ParseCredentialsJson(body, "imds", /*require_success_code=*/true);
  }

  env::HttpClient& http_;
  Clock& clock_;
  const std::string endpoint_;
  std::mutex mu_;
  std::string token_;                                   // Guarded by mu_.
  std::chrono::steady_clock::time_point token_expiry_;  // Guarded by mu_.
  bool token_rejected_ = false;                         // Guarded by mu_.
};

// AWS_EC2_METADATA_DISABLED=true: kNotFound at once, without a request.
class DisabledProvider final : public CredentialsProvider {
 public:
  explicit DisabledProvider(std::string reason) : reason_(std::move(reason)) {}
  Result<AwsCredentials> Get() override { return NotFoundError(reason_); }
  void Invalidate() override {}

 private:
  const std::string reason_;
};

// The <Credentials> of an STS AssumeRole or AssumeRoleWithWebIdentity response.
Result<AwsCredentials> ParseStsCredentials(std::string_view body, const std::string& where) {
  std::vector<std::string_view> credentials = xml::Elements(body, "Credentials");
  if (credentials.empty()) return ParseError(where + ": STS response has no Credentials element");
  std::string_view block = credentials.front();
  AwsCredentials c;
  c.access_key_id = xml::FirstText(block, "AccessKeyId").value_or("");
  c.secret_access_key = xml::FirstText(block, "SecretAccessKey").value_or("");
  c.session_token = xml::FirstText(block, "SessionToken").value_or("");
  c.source = where;
  GS_RETURN_IF_ERROR(Validate(c, where));
  if (c.session_token.empty()) return ParseError(where + ": STS response has no SessionToken");
  std::optional<std::string> expiration = xml::FirstText(block, "Expiration");
  if (!expiration) return ParseError(where + ": STS response has no Expiration");
  GS_ASSIGN_OR_RETURN(c.expiration, ParseExpiration(*expiration, where));
  return c;
}

// EKS IAM Roles for Service Accounts (IRSA): STS AssumeRoleWithWebIdentity with the projected
// service-account token. The call is unsigned (the token is the proof), so it bypasses the
// signing executor. The token file is re-read on every refresh: the kubelet rotates it.
class WebIdentityFetcher final : public Fetcher {
 public:
  WebIdentityFetcher(const AwsEnvironment& env, env::HttpClient& http, Clock& clock)
      : token_file_(env.Get("AWS_WEB_IDENTITY_TOKEN_FILE")),
        role_arn_(env.Get("AWS_ROLE_ARN")),
        session_name_(env.Get("AWS_ROLE_SESSION_NAME")),
        endpoint_(ResolveEndpoint(env, kSts, StsRegion(env))),
        http_(http),
        clock_(clock) {}

  Result<AwsCredentials> Fetch() override {
    const std::string where = "web_identity " + role_arn_;
    std::ifstream in(token_file_, std::ios::binary);
    std::ostringstream token;
    if (!in || !(token << in.rdbuf())) {
      return UnavailableError(where + ": cannot read AWS_WEB_IDENTITY_TOKEN_FILE " + token_file_);
    }
    std::string session_name = session_name_;
    if (session_name.empty()) {
      session_name = "gatescope-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                       clock_.Now().time_since_epoch())
                                                       .count());
    }
    env::HttpRequest request{
        .method = "POST",
        .url = endpoint_ + "/",
        .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
        .body = env::EncodeQuery({{"Action", "AssumeRoleWithWebIdentity"},
                                  {"Version", "2011-06-15"},
                                  {"RoleArn", role_arn_},
                                  {"RoleSessionName", session_name},
                                  {"WebIdentityToken", std::string(Trim(token.str()))}}),
        .timeout = std::chrono::seconds(10)};
    GS_ASSIGN_OR_RETURN(env::HttpResponse response, SendWithRetries(http_, request, 3));
    if (response.status < 200 || response.status >= 300) {
      return AwsErrorToStatus(ParseAwsError(response), "sts", "AssumeRoleWithWebIdentity")
          .WithContext(where);
    }
    return ParseStsCredentials(response.body, where);
  }

 private:
  static std::string StsRegion(const AwsEnvironment& env) {
    Result<std::string> region = ResolveRegion(env);
    return region.ok() ? *region : "us-east-1";
  }

  const std::string token_file_;
  const std::string role_arn_;
  const std::string session_name_;
  const std::string endpoint_;
  env::HttpClient& http_;
  Clock& clock_;
};

class AssumeRoleFetcher final : public Fetcher {
 public:
  AssumeRoleFetcher(std::unique_ptr<CredentialsProvider> source, AssumeRoleOptions options,
                    const AwsEnvironment& env, env::HttpClient& http, Clock& clock)
      : source_(std::move(source)),
        options_(std::move(options)),
        clock_(clock),
        client_(kSts, ClientOptions(env, options_), http, *source_, clock) {}

  Result<AwsCredentials> Fetch() override {
    std::string where = "assume_role " + options_.role_arn;
    std::string session_name = options_.session_name;
    if (session_name.empty()) {
      auto seconds =
          std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch());
      session_name = "gatescope-" + std::to_string(seconds.count());
    }
    std::vector<std::pair<std::string, std::string>> params = {
        {"RoleArn", options_.role_arn},
        {"RoleSessionName", session_name},
        {"DurationSeconds", std::to_string(options_.duration.count())},
    };
    if (!options_.external_id.empty()) params.emplace_back("ExternalId", options_.external_id);

    Result<std::string> body = client_.CallQuery("AssumeRole", "2011-06-15", std::move(params));
    if (!body.ok()) return body.status().WithContext(where);

    return ParseStsCredentials(*body, where);
  }

 private:
  static AwsClientOptions ClientOptions(const AwsEnvironment& env,
                                        const AssumeRoleOptions& options) {
    std::string region = options.region.empty() ? "us-east-1" : options.region;
    AwsClientOptions client_options;
    client_options.endpoint = ResolveEndpoint(env, kSts, region);
    client_options.region = std::move(region);
    // Credentials are fetched on a caller's path; a few attempts, not the data-plane eight.
    client_options.retry.max_attempts = 3;
    return client_options;
  }

  // Declared before client_, which borrows it.
  const std::unique_ptr<CredentialsProvider> source_;
  const AssumeRoleOptions options_;
  Clock& clock_;
  AwsServiceClient client_;
};

// Builds the provider for profile `name`: its keys, or AssumeRole on top of source_profile (which
// may itself assume a role) or credential_source. `visited` detects source_profile cycles.
Result<std::unique_ptr<CredentialsProvider>> BuildProfileProvider(const AwsEnvironment& env,
                                                                  const std::string& name,
                                                                  env::HttpClient& http,
                                                                  Clock& clock,
                                                                  std::set<std::string>& visited) {
  GS_ASSIGN_OR_RETURN(Profile profile, LoadProfile(env, name));
  visited.insert(name);
  std::string role_arn = ProfileValue(profile, "role_arn");
  if (role_arn.empty()) {
    GS_ASSIGN_OR_RETURN(AwsCredentials c, CredentialsFromProfile(profile, name));
    return NewStaticCredentialsProvider(std::move(c));
  }

  std::string where = "profile " + name;
  std::string source_profile = ProfileValue(profile, "source_profile");
  std::string credential_source = ProfileValue(profile, "credential_source");
  if (!source_profile.empty() && !credential_source.empty()) {
    return InvalidArgumentError(where + " sets both source_profile and credential_source");
  }
  std::unique_ptr<CredentialsProvider> source;
  if (!source_profile.empty()) {
    if (source_profile == name) {
      // A profile naming itself uses its own keys as the source, as the CLI allows.
      GS_ASSIGN_OR_RETURN(AwsCredentials c, CredentialsFromProfile(profile, name));
      source = NewStaticCredentialsProvider(std::move(c));
    } else if (visited.count(source_profile) != 0) {
      return InvalidArgumentError(where + ": source_profile cycle through " + source_profile);
    } else {
      Result<std::unique_ptr<CredentialsProvider>> built =
          BuildProfileProvider(env, source_profile, http, clock, visited);
      if (!built.ok()) {
        // A missing source is a configuration error here, not "no credentials".
        Status s = built.status().WithContext(where + ": source_profile " + source_profile);
        return s.code() == StatusCode::kNotFound ? InvalidArgumentError(s.message()) : s;
      }
      source = std::move(built).value();
    }
  } else if (EqualsIgnoreCase(credential_source, "Environment")) {
    source = NewEnvironmentCredentialsProvider(env);
  } else if (EqualsIgnoreCase(credential_source, "EcsContainer")) {
    source = NewContainerCredentialsProvider(env, http, clock);
  } else if (EqualsIgnoreCase(credential_source, "Ec2InstanceMetadata")) {
    source = NewImdsCredentialsProvider(env, http, clock);
  } else if (!credential_source.empty()) {
    return InvalidArgumentError(where + ": credential_source " + credential_source +
                                " is not one of Environment, EcsContainer, Ec2InstanceMetadata");
  } else {
    return InvalidArgumentError(where +
                                " has role_arn but neither source_profile nor credential_source");
  }

  AssumeRoleOptions options;
  options.role_arn = role_arn;
  options.external_id = ProfileValue(profile, "external_id");
  options.session_name = ProfileValue(profile, "role_session_name");
  std::string duration = ProfileValue(profile, "duration_seconds");
  if (!duration.empty()) {
    int64_t seconds = 0;
    auto [ptr, ec] = std::from_chars(duration.data(), duration.data() + duration.size(), seconds);
    if (ec != std::errc() || ptr != duration.data() + duration.size() || seconds < 900 ||
        seconds > 43200) {
      return InvalidArgumentError(where + ": duration_seconds " + duration +
                                  " is not a number of seconds in [900, 43200]");
    }
    options.duration = std::chrono::seconds(seconds);
  }
  // The client's region as the SDKs pick it: the variables first, then the profile.
  options.region = Trim(env.Get("AWS_REGION"));
  if (options.region.empty()) options.region = Trim(env.Get("AWS_DEFAULT_REGION"));
  if (options.region.empty()) options.region = ProfileValue(profile, "region");
  return NewAssumeRoleCredentialsProvider(std::move(source), std::move(options), env, http, clock);
}

// The profile link: builds the profile's provider on first use and keeps it, so that an
// assumed role's credentials stay cached across calls.
class ProfileLink final : public CredentialsProvider {
 public:
  ProfileLink(const AwsEnvironment& env, env::HttpClient& http, Clock& clock)
      : env_(env), http_(http), clock_(clock) {}

  Result<AwsCredentials> Get() override {
    CredentialsProvider* provider = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!provider_) {
        std::set<std::string> visited;
        Result<std::unique_ptr<CredentialsProvider>> built =
            BuildProfileProvider(env_, env_.ProfileName(), http_, clock_, visited);
        if (!built.ok()) {
          // A profile asked for by name must exist; only the implicit "default" may be absent.
          if (built.status().code() == StatusCode::kNotFound &&
              !Trim(env_.Get("AWS_PROFILE")).empty() && !ProfileExists()) {
            return InvalidArgumentError("AWS_PROFILE names profile " + env_.ProfileName() +
                                        ", which is in neither " + env_.ConfigFilePath() + " nor " +
                                        env_.CredentialsFilePath());
          }
          return built.status();
        }
        provider_ = std::move(built).value();
      }
      provider = provider_.get();
    }
    return provider->Get();
  }

  void Invalidate() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (provider_) provider_->Invalidate();
  }

 private:
  bool ProfileExists() const { return LoadProfile(env_, env_.ProfileName()).ok(); }

  const AwsEnvironment env_;
  env::HttpClient& http_;
  Clock& clock_;
  std::mutex mu_;
  std::unique_ptr<CredentialsProvider> provider_;  // Guarded by mu_; never reset once set.
};

// Tries each link in order and sticks to the first that works, so that one process does not
// switch identities between calls.
//
// A link answering kNotFound is not configured here, and the chain moves on. Any other error
// means the link is configured but broken (half a key pair, a refused role, a container endpoint
// that does not answer): like the SDKs, the chain stops there rather than silently running as
// another identity. IMDS is the exception: failing to reach it is how "not on EC2" looks.
class ChainProvider final : public CredentialsProvider {
 public:
  struct Link {
    std::string name;
    std::unique_ptr<CredentialsProvider> provider;
    bool stop_on_error = true;
  };

  explicit ChainProvider(std::vector<Link> links) : links_(std::move(links)) {}

  Result<AwsCredentials> Get() override {
    if (CredentialsProvider* chosen = Chosen()) return chosen->Get();
    std::lock_guard<std::mutex> walk_lock(walk_mu_);
    if (CredentialsProvider* chosen = Chosen()) return chosen->Get();
    std::vector<std::string> reasons;
    for (Link& link : links_) {
      Result<AwsCredentials> r = link.provider->Get();
      if (r.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        chosen_ = link.provider.get();
        Logger::Get().Log(LogLevel::kDebug, "Chose AWS credentials.", {{"source", r->source}});
        return r;
      }
      reasons.push_back(link.name + ": " + r.status().message());
      if (link.stop_on_error && r.status().code() != StatusCode::kNotFound) {
        return Status(r.status().code(), "AWS credentials: " + JoinReasons(reasons));
      }
    }
    return NotFoundError("no AWS credentials found: " + JoinReasons(reasons));
  }

  void Invalidate() override {
    if (CredentialsProvider* chosen = Chosen()) chosen->Invalidate();
  }

 private:
  CredentialsProvider* Chosen() {
    std::lock_guard<std::mutex> lock(mu_);
    return chosen_;
  }

  std::vector<Link> links_;  // Immutable after construction.
  std::mutex walk_mu_;       // One walk at a time.
  std::mutex mu_;
  CredentialsProvider* chosen_ = nullptr;  // Guarded by mu_; points into links_.
};

}  // namespace

std::unique_ptr<CredentialsProvider> NewStaticCredentialsProvider(AwsCredentials credentials) {
  return std::make_unique<StaticProvider>(std::move(credentials));
}

std::unique_ptr<CredentialsProvider> NewEnvironmentCredentialsProvider(const AwsEnvironment& env) {
  return std::make_unique<EnvironmentProvider>(env);
}

std::unique_ptr<CredentialsProvider> NewProfileCredentialsProvider(const AwsEnvironment& env,
                                                                   std::string profile_name) {
  return std::make_unique<ProfileProvider>(env, std::move(profile_name));
}

std::unique_ptr<CredentialsProvider> NewContainerCredentialsProvider(const AwsEnvironment& env,
                                                                     env::HttpClient& http,
                                                                     Clock& clock) {
  return std::make_unique<RefreshingProvider>(std::make_unique<ContainerFetcher>(env, http), clock);
}

std::unique_ptr<CredentialsProvider> NewImdsCredentialsProvider(const AwsEnvironment& env,
                                                                env::HttpClient& http,
                                                                Clock& clock) {
  if (EqualsIgnoreCase(Trim(env.Get("AWS_EC2_METADATA_DISABLED")), "true")) {
    return std::make_unique<DisabledProvider>("IMDS is disabled by AWS_EC2_METADATA_DISABLED");
  }
  return std::make_unique<RefreshingProvider>(std::make_unique<ImdsFetcher>(env, http, clock),
                                              clock);
}

std::unique_ptr<CredentialsProvider> NewAssumeRoleCredentialsProvider(
    std::unique_ptr<CredentialsProvider> source, AssumeRoleOptions options,
    const AwsEnvironment& env, env::HttpClient& http, Clock& clock) {
  return std::make_unique<RefreshingProvider>(
      std::make_unique<AssumeRoleFetcher>(std::move(source), std::move(options), env, http, clock),
      clock);
}

std::unique_ptr<CredentialsProvider> NewWebIdentityCredentialsProvider(const AwsEnvironment& env,
                                                                      env::HttpClient& http,
                                                                      Clock& clock) {
  if (env.Get("AWS_WEB_IDENTITY_TOKEN_FILE").empty()) {
    return std::make_unique<DisabledProvider>("AWS_WEB_IDENTITY_TOKEN_FILE is not set");
  }
  if (env.Get("AWS_ROLE_ARN").empty()) {
    return std::make_unique<DisabledProvider>(
        "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
  }
  return std::make_unique<RefreshingProvider>(
      std::make_unique<WebIdentityFetcher>(env, http, clock), clock);
}

std::unique_ptr<CredentialsProvider> NewDefaultCredentialsChain(const AwsEnvironment& env,
                                                                env::HttpClient& http,
                                                                Clock& clock) {
  std::vector<ChainProvider::Link> links;
  links.push_back({"environment", NewEnvironmentCredentialsProvider(env)});
  links.push_back({"web_identity", NewWebIdentityCredentialsProvider(env, http, clock)});
  links.push_back(
      {"profile " + env.ProfileName(), std::make_unique<ProfileLink>(env, http, clock)});
  links.push_back({"container", NewContainerCredentialsProvider(env, http, clock)});
  links.push_back({"imds", NewImdsCredentialsProvider(env, http, clock), /*stop_on_error=*/false});
  return std::make_unique<ChainProvider>(std::move(links));
}

}  // namespace gatescope::aws
