#include "connector/connector_config.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <nlohmann/json.hpp>

#include "core/ascii.h"
#include "env/durable_file.h"
#include "env/url.h"
#include "transform/transform_options.h"

namespace gatescope::connector {
namespace {

using Env = std::map<std::string, std::string>;

const std::vector<std::pair<std::string_view, std::string_view>> kVariables = {
    {"GATESCOPE_COLLECTOR_URL", "collector ingest URL (https://...); required"},
    {"GATESCOPE_AUTH", "oauth2 (default), token, or none"},
    {"GATESCOPE_OAUTH_TOKEN_URL", "OAuth2 token endpoint (client credentials grant)"},
    {"GATESCOPE_OAUTH_CLIENT_ID", "OAuth2 client id"},
    {"GATESCOPE_OAUTH_CLIENT_SECRET", "OAuth2 client secret"},
    {"GATESCOPE_OAUTH_CLIENT_SECRET_FILE", "file holding the OAuth2 client secret"},
    {"GATESCOPE_OAUTH_CLIENT_SECRET_ARN",
     "Secrets Manager secret holding the OAuth2 client secret (read on first use)"},
    {"GATESCOPE_OAUTH_SCOPE", "OAuth2 scope (optional)"},
    {"GATESCOPE_OAUTH_AUDIENCE", "OAuth2 audience (optional)"},
    {"GATESCOPE_OAUTH_AUTH_METHOD", "basic (default: client_secret_basic) or post"},
    {"GATESCOPE_TOKEN", "static bearer token (GATESCOPE_AUTH=token)"},
    {"GATESCOPE_REQUEST_TIMEOUT_MS", "per-POST timeout (default 30000)"},
    {"GATESCOPE_MAX_ATTEMPTS", "POST attempts per batch within the deadline (default 10)"},
    {"GATESCOPE_CONTENT_TYPE_REGEX", "RE2: response content types kept (empty: all)"},
    {"GATESCOPE_STATIC_FILE_REGEX", "RE2: request paths dropped as static files (empty: none)"},
    {"GATESCOPE_MAX_BODY_BYTES", "bodies longer are replaced by an indicator (default 1024)"},
    {"GATESCOPE_REDACT_HEADERS", "extra header names to redact, comma-separated"},
    {"GATESCOPE_REDACT_QUERY_PARAMS", "extra query parameter names to redact, comma-separated"},
    {"GATESCOPE_BATCH_MAX_BYTES", "batch cap on the wire (default 1000000)"},
    {"GATESCOPE_BATCH_MAX_RECORDS", "transactions per batch (default 10000)"},
    {"GATESCOPE_GZIP", "true (default) or false"},
    {"GATESCOPE_GZIP_LEVEL", "1..12 (default 6)"},
    {"GATESCOPE_SPILL", "s3://bucket/prefix or a directory for undeliverable batches"},
    {"GATESCOPE_CHECKPOINT", "s3://bucket/prefix or a directory for pull checkpoints"},
    {"GATESCOPE_REGIONS", "regions to pull, comma-separated (default AWS_REGION)"},
    {"GATESCOPE_DISCOVER", "find API stages with the API Gateway APIs (default true)"},
    {"GATESCOPE_REST_ENABLED", "pull REST API logs (default true)"},
    {"GATESCOPE_HTTP_ENABLED", "pull HTTP and WebSocket API logs (default true)"},
    {"GATESCOPE_APIS",
     "JSON list of {region, api_id, stage, access_log_group, account_id}, @file or s3://bucket/key"},
    {"GATESCOPE_LOG_GROUPS", "extra log groups to pull, comma-separated"},
    {"GATESCOPE_LOOKBACK_SECONDS", "pull: re-read window for late events (default 300)"},
    {"GATESCOPE_LAG_SECONDS", "pull: the window ends this long before now (default 60)"},
    {"GATESCOPE_MAX_WINDOW_SECONDS", "pull: longest span per query (default 900)"},
    {"GATESCOPE_FIRST_LOOKBACK_SECONDS", "pull: how far back a new log group starts (default 300)"},
    {"GATESCOPE_DEADLINE_MARGIN_MS", "stop sending this long before the deadline (default 3000)"},
    {"GATESCOPE_INTERVAL_SECONDS", "ship: seconds between pull runs (default 60)"},
    {"GATESCOPE_EXECUTION_GRACE_MS", "execution logs: wait after a request's last line (5000)"},
    {"GATESCOPE_CA_FILE", "PEM bundle to trust for the collector and token endpoint"},
    {"GATESCOPE_INSECURE_SKIP_TLS_VERIFY", "true disables TLS verification (never in production)"},
    {"GATESCOPE_LOG_LEVEL", "error, warning, info (default), debug or trace"},
    {"GATESCOPE_COLLECTION",
     "push (default: the refresh subscribes the log groups) or pull (scheduled reads)"},
    {"GATESCOPE_REST_EXECUTION_LOGS_EXIST",
     "false (default): the refresh turns INFO execution logs with data trace on REST stages on"},
    {"GATESCOPE_HTTP_ACCESS_LOGS_EXIST",
     "false (default): the refresh sets JSON access logs on HTTP stages without them"},
    {"GATESCOPE_HTTP_ACCESS_LOG_GROUP",
     "log group for the HTTP access logs the refresh sets (/aws/apigateway/gatescope-access)"},
    {"GATESCOPE_ENABLE_DEFAULT_STAGE_LOGGING",
     "the refresh also sets access logs on HTTP $default stages (default true)"},
    {"GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN",
     "IAM role API Gateway logs with, set on the account when it has none (refresh)"},
    {"GATESCOPE_LOG_RETENTION_DAYS", "retention of the log groups the refresh creates (30)"},
};

std::string Lower(std::string s) {
  LowerAsciiInPlace(s);
  return s;
}

Status Invalid(std::string_view name, std::string_view what) {
  return InvalidArgumentError(std::string(name) + ": " + std::string(what));
}

std::string Quoted(std::string_view v) {
  std::string s(v.substr(0, 80));
  return "\"" + s + (v.size() > 80 ? "...\"" : "\"");
}

const std::string* Find(const Env& env, std::string_view name) {
  auto it = env.find(std::string(name));
  return it == env.end() ? nullptr : &it->second;
}

Result<int64_t> GetInt(const Env& env, std::string_view name, int64_t fallback, int64_t min,
                       int64_t max) {
  const std::string* v = Find(env, name);
  if (v == nullptr || v->empty()) return fallback;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < min || n > max) {
    return Invalid(name, "must be an integer from " + std::to_string(min) + " to " +
                             std::to_string(max) + ", got " + Quoted(*v));
  }
  return n;
}

Result<bool> GetBool(const Env& env, std::string_view name, bool fallback) {
  const std::string* v = Find(env, name);
  if (v == nullptr || v->empty()) return fallback;
  std::string lower = Lower(*v);
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  return Invalid(name, "must be true or false, got " + Quoted(*v));
}

std::vector<std::string> GetList(const Env& env, std::string_view name) {
  std::vector<std::string> out;
  const std::string* v = Find(env, name);
  if (v == nullptr) return out;
  std::string_view rest = *v;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = TrimAsciiSpace(rest.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}

// TLS is on by default: a collector or token endpoint over plain HTTP would send batches and
// client secrets in clear, so it is refused unless it is this machine (tests, local relays).
Status CheckUrl(std::string_view name, std::string_view url) {
  Result<env::Url> parsed = env::ParseUrl(url);
  if (!parsed.ok() || parsed->host.empty()) {
    return Invalid(name, "must be an https:// URL, got " + Quoted(url));
  }
  if (parsed->scheme == "https") return Status::Ok();
  if (env::IsLoopbackHost(parsed->host)) return Status::Ok();
  return Invalid(name, "plain http:// is only allowed to loopback; use https://");
}

bool LooksLikeRegion(std::string_view r) {
  // "us-east-1", "ap-southeast-3", "us-gov-west-1", "cn-north-1", "eu-central-2".
  size_t dashes = 0;
  for (char c : r) {
    if (c == '-') {
      ++dashes;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return dashes >= 2 && r.size() <= 32 && r.back() >= '0' && r.back() <= '9' && r.front() != '-';
}

bool AllDigits(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The fields of "arn:partition:service:region:account:resource"; nullopt when not six fields.
std::optional<std::array<std::string_view, 6>> SplitArn(std::string_view arn) {
  std::array<std::string_view, 6> f;
  for (size_t i = 0; i < 5; ++i) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    f[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  f[5] = arn;
  if (f[0] != "arn" || f[1].empty() || f[2].empty()) return std::nullopt;
  return f;
}

// arn:<partition>:secretsmanager:<region>:<account>:secret:<name>
Status CheckSecretArn(std::string_view name, std::string_view arn) {
  auto f = SplitArn(arn);
  if (!f || (*f)[2] != "secretsmanager" || !LooksLikeRegion((*f)[3]) || !AllDigits((*f)[4], 12) ||
      !(*f)[5].starts_with("secret:") || (*f)[5].size() <= 7) {
    return Invalid(name, "must be a Secrets Manager secret ARN "
                         "(arn:aws:secretsmanager:<region>:<account>:secret:<name>), got " +
                             Quoted(arn));
  }
  return Status::Ok();
}

// arn:<partition>:iam::<account>:role/<path/><name>
Status CheckRoleArn(std::string_view name, std::string_view arn) {
  auto f = SplitArn(arn);
  if (!f || (*f)[2] != "iam" || !(*f)[3].empty() || !AllDigits((*f)[4], 12) ||
      !(*f)[5].starts_with("role/") || (*f)[5].size() <= 5) {
    return Invalid(name, "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got " +
                             Quoted(arn));
  }
  return Status::Ok();
}

// The file's text; an error names the variable that pointed at it.
Result<std::string> ReadFileText(std::string_view name, const std::string& path) {
  Result<std::string> text = env::ReadWholeFile(path);
  if (!text.ok()) return Invalid(name, text.status().message());
  return text;
}

}  // namespace

std::string Location::Describe() const {
  if (s3()) return "s3://" + bucket + "/" + prefix;
  return dir;
}

const std::vector<std::pair<std::string_view, std::string_view>>& ConnectorVariables() {
  return kVariables;
}

Result<Location> ParseLocation(std::string_view name, std::string_view value) {
  Location loc;
  if (value.substr(0, 5) == "s3://") {
    std::string_view rest = value.substr(5);
    size_t slash = rest.find('/');
    loc.bucket = std::string(rest.substr(0, slash));
    if (loc.bucket.size() < 3 || loc.bucket.size() > 63) {
      return Invalid(name, "bucket name must be 3 to 63 characters, got " + Quoted(value));
    }
    for (char c : loc.bucket) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
        return Invalid(name, "invalid bucket name in " + Quoted(value));
      }
    }
    if (slash != std::string_view::npos) loc.prefix = std::string(rest.substr(slash + 1));
    if (!loc.prefix.empty() && loc.prefix.back() != '/') loc.prefix += '/';
    return loc;
  }
  if (value.find("://") != std::string_view::npos) {
    return Invalid(name, "must be s3://bucket/prefix or a directory, got " + Quoted(value));
  }
  loc.dir = std::string(value);
  return loc;
}

std::string AccountOfArn(std::string_view arn) {
  auto f = SplitArn(arn);
  if (!f || !AllDigits((*f)[4], 12)) return {};
  return std::string((*f)[4]);
}

std::string UnqualifiedFunctionArn(std::string_view arn) {
  // arn:aws:lambda:region:account:function:name[:qualifier]
  auto f = SplitArn(arn);
  if (!f || (*f)[2] != "lambda" || !(*f)[5].starts_with("function:")) return std::string(arn);
  std::string_view resource = (*f)[5];
  size_t qualifier = resource.find(':', 9);
  if (qualifier == std::string_view::npos) return std::string(arn);
  return std::string(arn.substr(0, arn.size() - (resource.size() - qualifier)));
}

std::vector<ApiStageRef> FilterApisForAccount(const std::vector<ApiStageRef>& apis,
                                              std::string_view account_id,
                                              std::vector<std::string>* warnings) {
  std::vector<ApiStageRef> out;
  bool named = false;
  for (const ApiStageRef& ref : apis) {
    named = named || !ref.account_id.empty();
    if (account_id.empty() || ref.account_id.empty() || ref.account_id == account_id) {
      out.push_back(ref);
    }
  }
  if (account_id.empty() && named && warnings != nullptr) {
    warnings->push_back("GATESCOPE_APIS: the connector's account is unknown, so account_id is "
                        "not applied: every listed stage is in scope");
  }
  return out;
}

Result<std::vector<ApiStageRef>> ParseApiList(std::string_view value) {
  constexpr std::string_view kName = "GATESCOPE_APIS";
  std::string text(value);
  if (!value.empty() && value.front() == '@') {
    GS_ASSIGN_OR_RETURN(text, ReadFileText(kName, std::string(value.substr(1))));
  }
  return ParseApiListJson(kName, text);
}

Result<std::vector<ApiStageRef>> ParseApiListJson(std::string_view source, std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) {
    return Invalid(source, "must be a JSON array of {\"api_id\", \"stage\", \"region\"?, "
                          "\"access_log_group\"?, \"account_id\"?}");
  }
  std::vector<ApiStageRef> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const nlohmann::json& item = j[i];
    std::string where = "item " + std::to_string(i);
    if (!item.is_object()) return Invalid(source, where + " is not an object");
    ApiStageRef ref;
    for (const auto& [key, v] : item.items()) {
      if (!v.is_string()) return Invalid(source, where + ": \"" + key + "\" must be a string");
      const std::string& s = v.get_ref<const std::string&>();
      if (key == "region") {
        ref.region = s;
      } else if (key == "api_id") {
        ref.api_id = s;
      } else if (key == "stage") {
        ref.stage = s;
      } else if (key == "access_log_group") {
        ref.access_log_group = s;
      } else if (key == "account_id") {
        ref.account_id = s;
      } else {
        return Invalid(source, where + ": unknown key \"" + key + "\"");
      }
    }
    if (ref.api_id.empty() || ref.stage.empty()) {
      return Invalid(source, where + ": \"api_id\" and \"stage\" are required");
    }
    if (!ref.region.empty() && !LooksLikeRegion(ref.region)) {
      return Invalid(source, where + ": invalid region " + Quoted(ref.region));
    }
    if (!ref.account_id.empty() && !AllDigits(ref.account_id, 12)) {
      return Invalid(source, where + ": account_id must be 12 digits, got " +
                                Quoted(ref.account_id));
    }
    if (!ref.access_log_group.empty() && !IsValidLogGroupName(ref.access_log_group)) {
      return Invalid(source, where + ": invalid access_log_group " + Quoted(ref.access_log_group));
    }
    out.push_back(std::move(ref));
  }
  return out;
}

Result<ConnectorConfig> LoadConnectorConfig(const Env& env) {
  for (const auto& [name, value] : env) {
    if (name.rfind("GATESCOPE_", 0) != 0) continue;
    bool known = false;
    for (const auto& [known_name, help] : kVariables) known = known || name == known_name;
    if (!known) return Invalid(name, "unknown setting (see `gatescope ship --help-env`)");
  }
  ConnectorConfig c;

  const std::string* url = Find(env, "GATESCOPE_COLLECTOR_URL");
  if (url == nullptr || url->empty()) return Invalid("GATESCOPE_COLLECTOR_URL", "required");
  GS_RETURN_IF_ERROR(CheckUrl("GATESCOPE_COLLECTOR_URL", *url));
  c.collector.url = *url;

  std::string auth =
      Lower(Find(env, "GATESCOPE_AUTH") ? *Find(env, "GATESCOPE_AUTH") : std::string());
  if (auth.empty() || auth == "oauth2") {
    c.auth = AuthMode::kOAuth2;
    auto get = [&](std::string_view name) {
      const std::string* v = Find(env, name);
      return v == nullptr ? std::string() : *v;
    };
    c.oauth2.token_url = get("GATESCOPE_OAUTH_TOKEN_URL");
    c.oauth2.client_id = get("GATESCOPE_OAUTH_CLIENT_ID");
    c.oauth2.client_secret = get("GATESCOPE_OAUTH_CLIENT_SECRET");
    c.oauth2.scope = get("GATESCOPE_OAUTH_SCOPE");
    c.oauth2.audience = get("GATESCOPE_OAUTH_AUDIENCE");
    c.oauth_client_secret_arn = get("GATESCOPE_OAUTH_CLIENT_SECRET_ARN");
    if (!c.oauth_client_secret_arn.empty()) {
      if (!c.oauth2.client_secret.empty() || !get("GATESCOPE_OAUTH_CLIENT_SECRET_FILE").empty()) {
        return Invalid("GATESCOPE_OAUTH_CLIENT_SECRET_ARN",
                       "set one of GATESCOPE_OAUTH_CLIENT_SECRET, _FILE and _ARN, not several");
      }
      GS_RETURN_IF_ERROR(
          CheckSecretArn("GATESCOPE_OAUTH_CLIENT_SECRET_ARN", c.oauth_client_secret_arn));
    }
    if (std::string file = get("GATESCOPE_OAUTH_CLIENT_SECRET_FILE"); !file.empty()) {
      if (!c.oauth2.client_secret.empty()) {
        return Invalid("GATESCOPE_OAUTH_CLIENT_SECRET_FILE",
                       "set either it or GATESCOPE_OAUTH_CLIENT_SECRET, not both");
      }
      GS_ASSIGN_OR_RETURN(c.oauth2.client_secret,
                          ReadFileText("GATESCOPE_OAUTH_CLIENT_SECRET_FILE", file));
      while (!c.oauth2.client_secret.empty() &&
             (c.oauth2.client_secret.back() == '\n' || c.oauth2.client_secret.back() == '\r')) {
        c.oauth2.client_secret.pop_back();
      }
    }
    for (auto [name, value] : {std::pair<std::string_view, const std::string*>{
                                   "GATESCOPE_OAUTH_TOKEN_URL", &c.oauth2.token_url},
                               {"GATESCOPE_OAUTH_CLIENT_ID", &c.oauth2.client_id},
                               {"GATESCOPE_OAUTH_CLIENT_SECRET", &c.oauth2.client_secret}}) {
      if (value == &c.oauth2.client_secret && !c.oauth_client_secret_arn.empty()) continue;
      if (value->empty()) {
        return Invalid(name, "required with GATESCOPE_AUTH=oauth2 (or set GATESCOPE_AUTH=token "
                             "or none)");
      }
    }
    GS_RETURN_IF_ERROR(CheckUrl("GATESCOPE_OAUTH_TOKEN_URL", c.oauth2.token_url));
    std::string method = Lower(get("GATESCOPE_OAUTH_AUTH_METHOD"));
    if (method.empty() || method == "basic") {
      c.oauth2.auth_method = delivery::OAuth2Options::AuthMethod::kBasic;
    } else if (method == "post") {
      c.oauth2.auth_method = delivery::OAuth2Options::AuthMethod::kPost;
    } else {
      return Invalid("GATESCOPE_OAUTH_AUTH_METHOD", "must be basic or post, got " + Quoted(method));
    }
  } else if (auth == "token") {
    c.auth = AuthMode::kStaticToken;
    const std::string* token = Find(env, "GATESCOPE_TOKEN");
    if (token == nullptr || token->empty()) {
      return Invalid("GATESCOPE_TOKEN", "required with GATESCOPE_AUTH=token");
    }
    c.static_token = *token;
  } else if (auth == "none") {
    c.auth = AuthMode::kNone;
  } else {
    return Invalid("GATESCOPE_AUTH", "must be oauth2, token or none, got " + Quoted(auth));
  }

  GS_ASSIGN_OR_RETURN(int64_t timeout_ms,
                      GetInt(env, "GATESCOPE_REQUEST_TIMEOUT_MS", 30000, 100, 900000));
  c.collector.request_timeout = std::chrono::milliseconds(timeout_ms);
  GS_ASSIGN_OR_RETURN(int64_t attempts, GetInt(env, "GATESCOPE_MAX_ATTEMPTS", 10, 1, 100));
  c.collector.max_attempts = static_cast<int>(attempts);
  c.collector.user_agent = "gatescope-connector";

  if (const std::string* v = Find(env, "GATESCOPE_CONTENT_TYPE_REGEX")) {
    c.transform.content_type_regex = *v;
  }
  if (const std::string* v = Find(env, "GATESCOPE_STATIC_FILE_REGEX")) {
    c.transform.static_file_regex = *v;
  }
  GS_ASSIGN_OR_RETURN(int64_t max_body,
                      GetInt(env, "GATESCOPE_MAX_BODY_BYTES", 1024,
                             static_cast<int64_t>(transform::kMinMaxBodyBytes),
                             static_cast<int64_t>(transform::kMaxMaxBodyBytes)));
  c.transform.max_body_bytes = static_cast<size_t>(max_body);
  c.transform.redact_headers = GetList(env, "GATESCOPE_REDACT_HEADERS");
  c.transform.redact_query_params = GetList(env, "GATESCOPE_REDACT_QUERY_PARAMS");
  // Checked here so that a bad regex or name fails at start naming its variable.
  if (Status s = transform::ValidateTransformOptions(c.transform); !s.ok()) {
    static const std::pair<std::string_view, std::string_view> kOptionVariables[] = {
        {"content_type_regex", "GATESCOPE_CONTENT_TYPE_REGEX"},
        {"static_file_regex", "GATESCOPE_STATIC_FILE_REGEX"},
        {"max_body_bytes", "GATESCOPE_MAX_BODY_BYTES"},
        {"redact_headers", "GATESCOPE_REDACT_HEADERS"},
        {"redact_query_params", "GATESCOPE_REDACT_QUERY_PARAMS"}};
    std::string_view message = s.message();
    for (const auto& [option, variable] : kOptionVariables) {
      if (message.substr(0, option.size() + 2) == std::string(option) + ": ") {
        return Invalid(variable, message.substr(option.size() + 2));
      }
    }
    return s;
  }

  GS_ASSIGN_OR_RETURN(int64_t max_bytes,
                      GetInt(env, "GATESCOPE_BATCH_MAX_BYTES", 1000000, 4096, 100000000));
  c.batcher.max_bytes = static_cast<size_t>(max_bytes);
  GS_ASSIGN_OR_RETURN(int64_t max_records,
                      GetInt(env, "GATESCOPE_BATCH_MAX_RECORDS", 10000, 1, 1000000));
  c.batcher.max_records = static_cast<size_t>(max_records);
  GS_ASSIGN_OR_RETURN(c.batcher.gzip, GetBool(env, "GATESCOPE_GZIP", true));
  GS_ASSIGN_OR_RETURN(int64_t level, GetInt(env, "GATESCOPE_GZIP_LEVEL", 6, 1, 12));
  c.batcher.gzip_level = static_cast<int>(level);

  if (const std::string* v = Find(env, "GATESCOPE_SPILL"); v != nullptr && !v->empty()) {
    GS_ASSIGN_OR_RETURN(c.spill, ParseLocation("GATESCOPE_SPILL", *v));
  }
  if (const std::string* v = Find(env, "GATESCOPE_CHECKPOINT"); v != nullptr && !v->empty()) {
    GS_ASSIGN_OR_RETURN(c.checkpoint, ParseLocation("GATESCOPE_CHECKPOINT", *v));
  }

  c.regions = GetList(env, "GATESCOPE_REGIONS");
  for (const std::string& r : c.regions) {
    if (!LooksLikeRegion(r)) return Invalid("GATESCOPE_REGIONS", "invalid region " + Quoted(r));
  }
  GS_ASSIGN_OR_RETURN(c.discover, GetBool(env, "GATESCOPE_DISCOVER", true));
  GS_ASSIGN_OR_RETURN(c.rest_enabled, GetBool(env, "GATESCOPE_REST_ENABLED", true));
  GS_ASSIGN_OR_RETURN(c.http_enabled, GetBool(env, "GATESCOPE_HTTP_ENABLED", true));
  if (!c.rest_enabled && !c.http_enabled) {
    return Invalid("GATESCOPE_REST_ENABLED", "REST and HTTP APIs are both disabled; enable one");
  }
  if (const std::string* v = Find(env, "GATESCOPE_APIS"); v != nullptr && !v->empty()) {
    if (v->starts_with("s3://")) {
      // One object: its key is kept whole (ParseLocation would make it a prefix).
      GS_ASSIGN_OR_RETURN(c.apis_s3, ParseLocation("GATESCOPE_APIS", *v));
      std::string_view rest = std::string_view(*v).substr(5);
      size_t slash = rest.find('/');
      std::string_view key =
          slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
      if (key.empty() || key.back() == '/') {
        return Invalid("GATESCOPE_APIS", "s3:// must name an object (s3://bucket/key), got " +
                                             Quoted(*v));
      }
      c.apis_s3.prefix = std::string(key);
    } else {
      GS_ASSIGN_OR_RETURN(c.apis, ParseApiList(*v));
    }
  }
  c.log_groups = GetList(env, "GATESCOPE_LOG_GROUPS");
  if (const std::string* fn = Find(env, "AWS_LAMBDA_FUNCTION_NAME"); fn != nullptr) {
    c.own_log_group = "/aws/lambda/" + *fn;
  }

  using std::chrono::seconds;
  GS_ASSIGN_OR_RETURN(int64_t lookback, GetInt(env, "GATESCOPE_LOOKBACK_SECONDS", 300, 0, 86400));
  GS_ASSIGN_OR_RETURN(int64_t lag, GetInt(env, "GATESCOPE_LAG_SECONDS", 60, 0, 3600));
  GS_ASSIGN_OR_RETURN(int64_t window,
                      GetInt(env, "GATESCOPE_MAX_WINDOW_SECONDS", 900, 10, 86400));
  GS_ASSIGN_OR_RETURN(int64_t first,
                      GetInt(env, "GATESCOPE_FIRST_LOOKBACK_SECONDS", 300, 0, 14 * 86400));
  c.pull.lookback = seconds(lookback);
  c.pull.lag = seconds(lag);
  c.pull.max_window = seconds(window);
  c.pull.first_lookback = seconds(first);

  GS_ASSIGN_OR_RETURN(int64_t margin,
                      GetInt(env, "GATESCOPE_DEADLINE_MARGIN_MS", 3000, 0, 600000));
  c.deadline_margin = std::chrono::milliseconds(margin);
  GS_ASSIGN_OR_RETURN(int64_t interval, GetInt(env, "GATESCOPE_INTERVAL_SECONDS", 60, 1, 86400));
  c.interval = seconds(interval);
  GS_ASSIGN_OR_RETURN(int64_t grace,
                      GetInt(env, "GATESCOPE_EXECUTION_GRACE_MS", 5000, 0, 600000));
  c.execution_grace = std::chrono::milliseconds(grace);

  if (const std::string* v = Find(env, "GATESCOPE_CA_FILE"); v != nullptr) c.ca_file = *v;
  GS_ASSIGN_OR_RETURN(bool insecure, GetBool(env, "GATESCOPE_INSECURE_SKIP_TLS_VERIFY", false));
  c.verify_tls = !insecure;
  std::string collection =
      Lower(Find(env, "GATESCOPE_COLLECTION") ? *Find(env, "GATESCOPE_COLLECTION") : "");
  if (collection.empty() || collection == "push") {
    c.collection = Collection::kPush;
  } else if (collection == "pull") {
    c.collection = Collection::kPull;
  } else {
    return Invalid("GATESCOPE_COLLECTION", "must be push or pull, got " + Quoted(collection));
  }
  GS_ASSIGN_OR_RETURN(c.rest_execution_logs_exist,
                      GetBool(env, "GATESCOPE_REST_EXECUTION_LOGS_EXIST", false));
  GS_ASSIGN_OR_RETURN(c.http_access_logs_exist,
                      GetBool(env, "GATESCOPE_HTTP_ACCESS_LOGS_EXIST", false));
  GS_ASSIGN_OR_RETURN(c.enable_default_stage_logging,
                      GetBool(env, "GATESCOPE_ENABLE_DEFAULT_STAGE_LOGGING", true));
  if (const std::string* v = Find(env, "GATESCOPE_HTTP_ACCESS_LOG_GROUP");
      v != nullptr && !v->empty()) {
    if (!IsValidLogGroupName(*v)) {
      return Invalid("GATESCOPE_HTTP_ACCESS_LOG_GROUP",
                     "must be a log group name (1 to 512 of [.-_/#A-Za-z0-9]), got " + Quoted(*v));
    }
    c.http_access_log_group = *v;
  }
  if (const std::string* v = Find(env, "GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN");
      v != nullptr && !v->empty()) {
    GS_RETURN_IF_ERROR(CheckRoleArn("GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN", *v));
    c.apigateway_cloudwatch_role_arn = *v;
  }
  GS_ASSIGN_OR_RETURN(int64_t retention, GetInt(env, "GATESCOPE_LOG_RETENTION_DAYS", 30, 1, 3653));
  if (std::find(std::begin(kLogRetentionDays), std::end(kLogRetentionDays), retention) ==
      std::end(kLogRetentionDays)) {
    return Invalid("GATESCOPE_LOG_RETENTION_DAYS",
                   "must be one of CloudWatch Logs' values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, "
                   "180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got " +
                       std::to_string(retention));
  }
  c.log_retention_days = static_cast<int>(retention);

  if (const std::string* v = Find(env, "GATESCOPE_LOG_LEVEL"); v != nullptr && !v->empty()) {
    Result<LogLevel> parsed = ParseLogLevel(*v);
    if (!parsed.ok()) return Invalid("GATESCOPE_LOG_LEVEL", parsed.status().message());
    c.log_level = *parsed;
  }
  return c;
}

}  // namespace gatescope::connector
