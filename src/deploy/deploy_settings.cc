#include "deploy/deploy_settings.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "aws/cloudwatch_logs_client.h"
#include "core/ascii.h"
#include "deploy/aws_regions.h"
#include "deploy/csv_list.h"
#include "deploy/schedule_expression.h"
#include "env/url.h"
#include "transform/transform_options.h"

namespace gatescope::deploy {
namespace {

namespace fs = std::filesystem;
using K = SettingKind;
using M = SettingMode;

constexpr std::string_view kBoolValues = "true|false";
constexpr std::string_view kRetentionDays =
    "1|3|5|7|14|30|60|90|120|150|180|365|400|545|731|1096|1827|2192|2557|2922|3288|3653";

const SettingSpec kSpecs[] = {
    // collector
    {"GATESCOPE_COLLECTOR_URL", "", "collector", K::kUrl,
     "the inventory server's batch endpoint (https://<host>/v1/batches); required"},
    {"GATESCOPE_AUTH", "oauth2", "collector", K::kEnum, "how the connector authenticates",
     "oauth2|none"},
    {"GATESCOPE_OAUTH_TOKEN_URL", "", "collector", K::kUrl,
     "OAuth2 token endpoint (https://); required with oauth2"},
    {"GATESCOPE_OAUTH_CLIENT_ID", "", "collector", K::kText,
     "OAuth2 client id; required with oauth2"},
    {"GATESCOPE_OAUTH_CLIENT_SECRET",
     "",
     "collector",
     K::kText,
     "OAuth2 client secret (kept in Secrets Manager); required with oauth2",
     {},
     0,
     0,
     M::kAny,
     /*secret=*/true},
    {"GATESCOPE_OAUTH_SCOPE", "inventory:ingest", "collector", K::kText, "OAuth2 scope"},
    // where
    {"GATESCOPE_REGIONS", "all", "where", K::kRegions,
     "all (every region enabled in the admin account) or a comma-separated list of regions"},
    {"GATESCOPE_PREFERRED_REGION", "us-east-1", "where", K::kRegion,
     "where the StackSet lives and templates are hosted"},
    {"GATESCOPE_ORGANIZATION_DEPLOYMENT", "false", "where", K::kBool,
     "true: service-managed StackSet over OUs; false: self-managed over the accounts file",
     kBoolValues},
    {"GATESCOPE_ORGANIZATIONAL_UNITS_FILE",
     "",
     "where",
     K::kFile,
     "CSV of root, all, r-... or ou-... ids; required with an organization deployment",
     {},
     0,
     0,
     M::kOrganization},
    {"GATESCOPE_ACCOUNT_FILTER_FILE",
     "",
     "where",
     K::kFile,
     "CSV of 12-digit account ids narrowing the OUs",
     {},
     0,
     0,
     M::kOrganization},
    {"GATESCOPE_ACCOUNT_FILTER_TYPE", "NONE", "where", K::kEnum, "how the account filter applies",
     "NONE|INTERSECTION|DIFFERENCE", 0, 0, M::kOrganization},
    {"GATESCOPE_ORGANIZATION_ID", "", "where", K::kOrgId,
     "the organization id, when the scripts cannot read it from Organizations"},
    {"GATESCOPE_CALL_AS", "SELF", "where", K::kEnum, "the management account or a delegated admin",
     "SELF|DELEGATED_ADMIN", 0, 0, M::kOrganization},
    {"GATESCOPE_AUTO_DEPLOYMENT", "true", "where", K::kBool,
     "new accounts in the OUs get the connector", kBoolValues, 0, 0, M::kOrganization},
    {"GATESCOPE_RETAIN_STACKS_ON_ACCOUNT_REMOVAL", "false", "where", K::kBool,
     "keep the stacks of accounts leaving the OUs", kBoolValues, 0, 0, M::kOrganization},
    {"GATESCOPE_ACCOUNTS_FILE",
     "",
     "where",
     K::kFile,
     "CSV of 12-digit account ids; empty: this account only",
     {},
     0,
     0,
     M::kSelfManaged},
    {"GATESCOPE_ADMINISTRATION_ROLE_ARN",
     "",
     "where",
     K::kRoleArn,
     "StackSet administration role; empty: AWSCloudFormationStackSetAdministrationRole",
     {},
     0,
     0,
     M::kSelfManaged},
    {"GATESCOPE_EXECUTION_ROLE_NAME",
     "AWSCloudFormationStackSetExecutionRole",
     "where",
     K::kRoleName,
     "StackSet execution role name in the target accounts",
     {},
     0,
     0,
     M::kSelfManaged},
    {"GATESCOPE_MAX_CONCURRENT_PERCENTAGE",
     "25",
     "where",
     K::kInt,
     "share of accounts deployed at once",
     {},
     1,
     100},
    {"GATESCOPE_FAILURE_TOLERANCE_PERCENTAGE",
     "10",
     "where",
     K::kInt,
     "share of accounts that may fail before CloudFormation stops",
     {},
     0,
     100},
    {"GATESCOPE_REGION_CONCURRENCY", "PARALLEL", "where", K::kEnum, "regions deployed at once",
     "PARALLEL|SEQUENTIAL"},
    {"GATESCOPE_CONCURRENCY_MODE", "SOFT_FAILURE_TOLERANCE", "where", K::kEnum,
     "StackSet concurrency mode", "SOFT_FAILURE_TOLERANCE|STRICT_FAILURE_TOLERANCE"},
    // which APIs
    {"GATESCOPE_REST_ENABLED", "true", "which APIs", K::kBool, "collect REST API logs",
     kBoolValues},
    {"GATESCOPE_HTTP_ENABLED", "true", "which APIs", K::kBool,
     "collect HTTP and WebSocket API logs", kBoolValues},
    {"GATESCOPE_DISCOVER", "true", "which APIs", K::kBool,
     "find every API and stage; false needs GATESCOPE_APIS_FILE", kBoolValues},
    {"GATESCOPE_APIS_FILE", "", "which APIs", K::kFile,
     "JSON array of {\"region\",\"api_id\",\"stage\",\"account_id\"?,\"access_log_group\"?}"},
    {"GATESCOPE_REST_EXECUTION_LOGS_EXIST", "false", "which APIs", K::kBool,
     "false: the connector turns on REST execution logs where missing", kBoolValues},
    {"GATESCOPE_HTTP_ACCESS_LOGS_EXIST", "false", "which APIs", K::kBool,
     "false: the connector turns on HTTP access logs where missing", kBoolValues},
    {"GATESCOPE_HTTP_ACCESS_LOG_GROUP", "/aws/apigateway/gatescope-access", "which APIs",
     K::kLogGroup, "log group for the HTTP access logs the connector turns on"},
    {"GATESCOPE_ENABLE_DEFAULT_STAGE_LOGGING", "true", "which APIs", K::kBool,
     "also configure HTTP APIs' $default stages", kBoolValues},
    // collection
    {"GATESCOPE_COLLECTION", "push", "collection", K::kEnum,
     "push (subscription filters) or pull (scheduled FilterLogEvents)", "push|pull"},
    {"GATESCOPE_PULL_SCHEDULE", "rate(1 minute)", "collection", K::kSchedule,
     "pull only: how often to pull"},
    {"GATESCOPE_REFRESH_SCHEDULE", "rate(15 minutes)", "collection", K::kSchedule,
     "how often to discover stages, enable logging and subscribe groups"},
    {"GATESCOPE_LOG_RETENTION_DAYS", "30", "collection", K::kEnum,
     "retention of the log groups the stack creates", kRetentionDays},
    {"GATESCOPE_LOG_LEVEL", "info", "collection", K::kEnum, "the connector's log level",
     "error|warning|info|debug|trace"},
    {"GATESCOPE_CONTENT_TYPE_REGEX", transform::kDefaultContentTypeRegex, "collection", K::kRegex,
     "RE2: response content types kept"},
    {"GATESCOPE_STATIC_FILE_REGEX", transform::kDefaultStaticFileRegex, "collection", K::kRegex,
     "RE2: request paths dropped as static files"},
    // Lambda
    {"GATESCOPE_LAMBDA_ZIP", "gatescope-lambda-x86_64.zip", "Lambda", K::kFile,
     "the package from scripts/package_lambda.sh (default gatescope-lambda-<architecture>.zip)"},
    {"GATESCOPE_LAMBDA_ARCHITECTURE", "x86_64", "Lambda", K::kEnum, "must match the zip",
     "x86_64|arm64"},
    {"GATESCOPE_LAMBDA_MEMORY_MB", "256", "Lambda", K::kInt, "function memory", {}, 128, 10240},
    {"GATESCOPE_LAMBDA_TIMEOUT_SECONDS", "300", "Lambda", K::kInt, "function timeout", {}, 10, 900},
    {"GATESCOPE_RESERVED_CONCURRENCY",
     "",
     "Lambda",
     K::kInt,
     "reserved concurrency; empty: unreserved",
     {},
     1,
     1000},
    {"GATESCOPE_LAMBDA_ROLE_ARN", "", "Lambda", K::kRoleArn,
     "pre-created function role; empty: the stack creates it"},
    {"GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN", "", "Lambda", K::kRoleArn,
     "pre-created API Gateway CloudWatch role; empty: the stack creates it"},
    {"GATESCOPE_SCHEDULER_ROLE_ARN", "", "Lambda", K::kRoleArn,
     "pre-created EventBridge Scheduler role; empty: the stack creates it"},
    // artifacts and the StackSet
    {"GATESCOPE_BUCKET_PREFIX", "", "artifacts and the StackSet", K::kBucketPrefix,
     "artifact buckets are <prefix>-<region>; empty: gatescope-<admin account id>"},
    {"GATESCOPE_MANAGE_BUCKETS", "true", "artifacts and the StackSet", K::kBool,
     "the scripts create (and may delete) the buckets", kBoolValues},
    {"GATESCOPE_AUTO_CONFIRM_UPLOAD", "false", "artifacts and the StackSet", K::kBool,
     "upload without asking", kBoolValues},
    {"GATESCOPE_AUTO_CONFIRM_STACKSET", "false", "artifacts and the StackSet", K::kBool,
     "change the StackSet without asking", kBoolValues},
    {"GATESCOPE_AUTO_DELETE_ARTIFACTS", "false", "artifacts and the StackSet", K::kBool,
     "destroy also empties and deletes managed buckets", kBoolValues},
    {"GATESCOPE_STACKSET_NAME", "gatescope-connector", "artifacts and the StackSet",
     K::kStackSetName, "the StackSet's name"},
    {"GATESCOPE_CREATE_STACKSET", "true", "artifacts and the StackSet", K::kBool,
     "false: upload only and print the console steps", kBoolValues},
};

const SettingSpec* FindSpec(std::string_view key) {
  for (const SettingSpec& spec : kSpecs) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

// Bounded quoting of a value in a message; secrets never reach here.
std::string Quoted(std::string_view v) {
  std::string out = "\"";
  for (char c : v.substr(0, 80)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  if (v.size() > 80) out += "...";
  return out + "\"";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  LowerAsciiInPlace(out);
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// What deploy/.env.example ships in place of values only the operator knows.
bool LooksLikePlaceholder(std::string_view value) {
  const std::string lower = Lower(value);
  const size_t open = lower.find('<');
  if (open != std::string::npos && lower.find('>', open) != std::string::npos) return true;
  for (std::string_view marker : {"changeme", "change-me", "change_me", "your-", "your_", "xxxx",
                                  "example.com", "example.org", "example.net"}) {
    if (lower.find(marker) != std::string::npos) return true;
  }
  return false;
}

bool IsAllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsAccountId(std::string_view s) { return s.size() == 12 && IsAllDigits(s); }

bool FullMatch(std::string_view s, const RE2& re) { return RE2::FullMatch(s, re); }

struct ReadResult {
  bool ok = false;
  std::string text;
  std::string error;
};

ReadResult ReadSmallFile(const std::string& path) {
  constexpr uintmax_t kMaxBytes = 16 << 20;
  ReadResult r;
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    r.error = "does not exist";
    return r;
  }
  if (!fs::is_regular_file(st)) {
    r.error = "is not a regular file";
    return r;
  }
  if (fs::file_size(path, ec) > kMaxBytes) {
    r.error = "is larger than 16 MiB";
    return r;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (!in) {
    r.error = "cannot be read";
    return r;
  }
  r.ok = true;
  r.text = std::move(buf).str();
  return r;
}

class Checker {
 public:
  explicit Checker(DeploySettings& s) : s_(s) {}

  void Add(std::string_view key, std::string message, bool warning = false) {
    s_.problems.push_back({.line = s_.LineOf(key),
                           .key = std::string(key),
                           .message = std::move(message),
                           .warning = warning});
  }

  bool IsSet(std::string_view key) const { return s_.set_keys.count(key) > 0; }
  const std::string& Get(std::string_view key) const { return s_.Get(key); }
  bool True(std::string_view key) const { return Get(key) == "true"; }

  void Run(const DotenvFile& file);

 private:
  void ReadEntries(const DotenvFile& file);
  void CheckValue(const SettingSpec& spec, const std::string& value);
  void CheckConflicts();
  void CheckRegions();
  void CheckFiles();
  void CheckLambdaZip();
  void CheckBucketPrefix();
  void ReadIdList(std::string_view key, std::vector<std::string>& out, bool ous);
  void ReadApisFile();
  std::string Abs(const std::string& path) const {
    fs::path p(path);
    if (p.is_relative()) p = fs::path(s_.env_dir) / p;
    return p.lexically_normal().string();
  }
  const KnownRegion* preferred() const {
    return FindKnownRegion(Get("GATESCOPE_PREFERRED_REGION"));
  }

  DeploySettings& s_;
  std::set<std::string, std::less<>> bad_;  // Keys with a problem already: skip derived checks.
};

void Checker::ReadEntries(const DotenvFile& file) {
  for (const DotenvEntry& entry : file.entries) {
    s_.lines[entry.key] = entry.line;
    if (entry.malformed) {
      bad_.insert(entry.key);
      s_.set_keys.insert(entry.key);
      continue;
    }
    const SettingSpec* spec = FindSpec(entry.key);
    if (spec == nullptr) {
      std::string message = entry.key.starts_with("GATESCOPE_")
                                ? "unknown setting"
                                : "not a deployment setting (keys are GATESCOPE_*)";
      size_t best = 4;
      std::string_view suggestion;
      for (const SettingSpec& known : kSpecs) {
        size_t d = EditDistance(entry.key, known.key);
        if (d < best) {
          best = d;
          suggestion = known.key;
        }
      }
      if (!suggestion.empty())
        message += "; did you mean " + std::string(suggestion) + "?";
      else
        message += " (deploy/.env.example lists every key)";
      s_.problems.push_back({.line = entry.line, .key = entry.key, .message = message});
      continue;
    }
    // An empty value means the default, so that the example can list every key.
    if (!entry.value.empty()) {
      s_.values[entry.key] = entry.value;
      s_.set_keys.insert(entry.key);
    }
  }
}

void Checker::CheckValue(const SettingSpec& spec, const std::string& v) {
  const std::string_view key = spec.key;
  const size_t problems_before = s_.problems.size();
  if (spec.kind != K::kRegex && LooksLikePlaceholder(v)) {
    Add(key, spec.secret ? "still holds a placeholder from .env.example; set the real value"
                         : Quoted(v) + " is a placeholder from .env.example; set the real value");
    bad_.insert(std::string(key));
    return;
  }
  switch (spec.kind) {
    case K::kText:
      break;
    case K::kUrl: {
      Result<env::Url> url = env::ParseUrl(v);
      if (!url.ok() || url->host.empty()) {
        Add(key, "must be an https:// URL, got " + Quoted(v));
      } else if (url->scheme != "https" && !env::IsLoopbackHost(url->host)) {
        Add(key, "must be https:// (plain http:// only to loopback), got " + Quoted(v));
      } else if (key == "GATESCOPE_COLLECTOR_URL" && !url->path.ends_with("/v1/batches")) {
        Add(key,
            "the connector posts batches, which the server takes at /v1/batches; got path " +
                Quoted(url->path),
            /*warning=*/true);
      }
      break;
    }
    case K::kBool:
    case K::kEnum: {
      bool found = false;
      std::string_view rest = spec.allowed;
      while (!rest.empty() && !found) {
        size_t bar = rest.find('|');
        found = rest.substr(0, bar) == v;
        rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
      }
      if (!found) {
        std::string allowed(spec.allowed);
        std::replace(allowed.begin(), allowed.end(), '|', ',');
        Add(key, "must be one of " + allowed + " (exactly), got " + Quoted(v));
      }
      break;
    }
    case K::kInt: {
      long n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n < spec.min || n > spec.max) {
        Add(key, "must be a whole number from " + std::to_string(spec.min) + " to " +
                     std::to_string(spec.max) + (spec.default_value.empty() ? " (or empty)" : "") +
                     ", got " + Quoted(v));
      }
      break;
    }
    case K::kRegion:
      if (FindKnownRegion(v) == nullptr) {
        Add(key, Quoted(v) + " is not a known AWS region (e.g. us-east-1, eu-west-1)");
      }
      break;
    case K::kRegions:
      break;  // CheckRegions(), which needs the preferred region.
    case K::kFile:
      break;  // CheckFiles().
    case K::kRoleArn: {
      static const RE2 re(R"(arn:aws(?:-us-gov|-cn|-eusc)?:iam::\d{12}:role/[\w+=,.@/-]{1,512})");
      if (!FullMatch(v, re)) {
        Add(key,
            "must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>) or "
            "empty, got " +
                Quoted(v));
      }
      break;
    }
    case K::kRoleName: {
      static const RE2 re(R"([\w+=,.@-]{1,64})");
      if (!FullMatch(v, re)) {
        Add(key,
            "must be an IAM role name (1-64 of letters, digits and +=,.@_-), got " + Quoted(v));
      }
      break;
    }
    case K::kSchedule:
      if (std::string error = CheckScheduleExpression(v); !error.empty()) {
        Add(key, Quoted(v) + ": " + error);
      }
      break;
    case K::kRegex: {
      RE2::Options options;
      options.set_log_errors(false);
      RE2 re(v, options);
      if (!re.ok()) Add(key, "does not compile as RE2: " + re.error());
      break;
    }
    case K::kLogGroup: {
      if (!aws::IsValidLogGroupName(v)) {
        Add(key, "must be a log group name (1-512 of letters, digits and ._-/#), got " + Quoted(v));
      }
      break;
    }
    case K::kOrgId: {
      static const RE2 re(R"(o-[a-z0-9]{10,32})");
      if (!FullMatch(v, re)) {
        Add(key, "must be an organization id (o- and 10-32 lowercase letters or digits), got " +
                     Quoted(v));
      }
      break;
    }
    case K::kBucketPrefix:
      break;  // CheckBucketPrefix(), which needs the regions.
    case K::kStackSetName: {
      static const RE2 re(R"([A-Za-z][A-Za-z0-9-]{0,127})");
      if (!FullMatch(v, re)) {
        Add(key,
            "must start with a letter and hold only letters, digits and - (at most 128), "
            "got " +
                Quoted(v));
      }
      break;
    }
  }
  if (s_.problems.size() != problems_before) bad_.insert(std::string(key));
}

void Checker::CheckConflicts() {
  const bool org = True("GATESCOPE_ORGANIZATION_DEPLOYMENT");
  for (const SettingSpec& spec : kSpecs) {
    if (!IsSet(spec.key)) continue;
    if (spec.mode == M::kOrganization && !org) {
      Add(spec.key,
          "only applies to an organization deployment "
          "(GATESCOPE_ORGANIZATION_DEPLOYMENT=true); remove it or set that");
      bad_.insert(std::string(spec.key));
    } else if (spec.mode == M::kSelfManaged && org) {
      Add(spec.key,
          "only applies to a self-managed deployment "
          "(GATESCOPE_ORGANIZATION_DEPLOYMENT=false); remove it or set that");
      bad_.insert(std::string(spec.key));
    }
  }
  if (org && !IsSet("GATESCOPE_ORGANIZATIONAL_UNITS_FILE")) {
    Add("GATESCOPE_ORGANIZATIONAL_UNITS_FILE",
        "required with GATESCOPE_ORGANIZATION_DEPLOYMENT=true (a CSV of root, all, r-... or "
        "ou-... ids)");
  }
  if (org) {
    const bool filter_file = IsSet("GATESCOPE_ACCOUNT_FILTER_FILE");
    const bool filter_type = Get("GATESCOPE_ACCOUNT_FILTER_TYPE") != "NONE";
    if (filter_file && !filter_type && !bad_.count("GATESCOPE_ACCOUNT_FILTER_TYPE")) {
      Add("GATESCOPE_ACCOUNT_FILTER_FILE",
          "needs GATESCOPE_ACCOUNT_FILTER_TYPE=INTERSECTION or DIFFERENCE");
    } else if (!filter_file && filter_type) {
      Add("GATESCOPE_ACCOUNT_FILTER_TYPE",
          "INTERSECTION and DIFFERENCE need GATESCOPE_ACCOUNT_FILTER_FILE; NONE without one");
    }
  }

  if (Get("GATESCOPE_AUTH") == "oauth2") {
    for (std::string_view key : {"GATESCOPE_OAUTH_TOKEN_URL", "GATESCOPE_OAUTH_CLIENT_ID",
                                 "GATESCOPE_OAUTH_CLIENT_SECRET"}) {
      if (!IsSet(key) && !bad_.count(key)) {
        Add(key, std::string("required with GATESCOPE_AUTH=oauth2") +
                     (IsSet("GATESCOPE_AUTH") ? "" : " (the default)") +
                     "; or set GATESCOPE_AUTH=none");
      }
    }
  } else if (Get("GATESCOPE_AUTH") == "none") {
    Add("GATESCOPE_AUTH",
        "none: the connector sends logs without authentication; anyone who can reach the "
        "collector can write to the inventory",
        /*warning=*/true);
    for (std::string_view key : {"GATESCOPE_OAUTH_TOKEN_URL", "GATESCOPE_OAUTH_CLIENT_ID",
                                 "GATESCOPE_OAUTH_CLIENT_SECRET", "GATESCOPE_OAUTH_SCOPE"}) {
      if (IsSet(key)) Add(key, "set while GATESCOPE_AUTH=none; remove it or use oauth2");
    }
  }

  if (Get("GATESCOPE_REST_ENABLED") == "false" && Get("GATESCOPE_HTTP_ENABLED") == "false") {
    Add(IsSet("GATESCOPE_HTTP_ENABLED") ? "GATESCOPE_HTTP_ENABLED" : "GATESCOPE_REST_ENABLED",
        "GATESCOPE_REST_ENABLED and GATESCOPE_HTTP_ENABLED are both false: nothing to collect");
  }
  const bool discover = Get("GATESCOPE_DISCOVER") == "true";
  if (discover && IsSet("GATESCOPE_APIS_FILE")) {
    Add("GATESCOPE_APIS_FILE",
        "conflicts with GATESCOPE_DISCOVER=true (the default); set GATESCOPE_DISCOVER=false to "
        "use the list, or remove it");
    bad_.insert("GATESCOPE_APIS_FILE");
  } else if (Get("GATESCOPE_DISCOVER") == "false" && !IsSet("GATESCOPE_APIS_FILE")) {
    Add("GATESCOPE_DISCOVER", "false needs GATESCOPE_APIS_FILE (the APIs to collect)");
  }
  if (Get("GATESCOPE_COLLECTION") == "push" && IsSet("GATESCOPE_PULL_SCHEDULE")) {
    Add("GATESCOPE_PULL_SCHEDULE",
        "only applies to GATESCOPE_COLLECTION=pull; remove it or set that");
  }
  if (Get("GATESCOPE_AUTO_DELETE_ARTIFACTS") == "true" &&
      Get("GATESCOPE_MANAGE_BUCKETS") == "false") {
    Add("GATESCOPE_AUTO_DELETE_ARTIFACTS",
        "has no effect with GATESCOPE_MANAGE_BUCKETS=false (buckets not managed are never "
        "deleted)",
        /*warning=*/true);
  }
}

void Checker::CheckRegions() {
  const KnownRegion* home = preferred();
  const std::string& v = Get("GATESCOPE_REGIONS");
  constexpr std::string_view kKey = "GATESCOPE_REGIONS";
  if (bad_.count(kKey)) return;
  if (v == "all") {
    s_.regions = {"all"};
    return;
  }
  std::set<std::string, std::less<>> seen;
  std::string_view rest = v;
  while (true) {
    size_t comma = rest.find(',');
    std::string name(TrimAsciiSpace(rest.substr(0, comma)));
    if (name.empty()) {
      Add(kKey,
          "has an empty item; write all or a comma-separated list such as "
          "us-east-1,eu-west-1");
    } else if (name == "all") {
      Add(kKey, "all cannot be mixed with region names");
    } else if (const KnownRegion* region = FindKnownRegion(name); region == nullptr) {
      Add(kKey, Quoted(name) + " is not a known AWS region (e.g. us-east-1, eu-west-1)");
    } else if (!seen.insert(name).second) {
      Add(kKey, name + " is listed twice");
    } else if (home != nullptr && region->partition != home->partition) {
      Add(kKey, name + " is in partition " + std::string(region->partition) +
                    " but GATESCOPE_PREFERRED_REGION " + std::string(home->name) + " is in " +
                    std::string(home->partition) + "; a StackSet cannot span partitions");
    } else {
      s_.regions.push_back(name);
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
}

void Checker::CheckBucketPrefix() {
  constexpr std::string_view kKey = "GATESCOPE_BUCKET_PREFIX";
  const std::string& prefix = Get(kKey);
  if (prefix.empty() || bad_.count(kKey)) return;
  static const RE2 re(R"([a-z0-9][a-z0-9-]*)");
  if (!FullMatch(prefix, re) || prefix.starts_with("xn--") || prefix.starts_with("sthree-") ||
      prefix.starts_with("amzn-s3-demo-")) {
    Add(kKey,
        "must be lowercase letters, digits and hyphens, starting with a letter or digit "
        "(and not xn--, sthree- or amzn-s3-demo-), got " +
            Quoted(prefix));
    return;
  }
  // The longest bucket name: the longest region in scope (`all`: any of the partition's).
  std::string_view longest;
  const KnownRegion* home = preferred();
  if (s_.regions == std::vector<std::string>{"all"}) {
    for (const KnownRegion& r : KnownRegions()) {
      if ((home == nullptr || r.partition == home->partition) && r.name.size() > longest.size()) {
        longest = r.name;
      }
    }
  } else {
    for (const std::string& r : s_.regions) {
      if (r.size() > longest.size()) longest = r;
    }
  }
  const size_t length = prefix.size() + 1 + longest.size();
  if (length > 63) {
    Add(kKey, "too long: bucket " + prefix + "-" + std::string(longest) + " would be " +
                  std::to_string(length) + " characters (S3 allows 63); at most " +
                  std::to_string(62 - longest.size()) + " for the regions in scope");
  }
}

void Checker::CheckLambdaZip() {
  constexpr std::string_view kKey = "GATESCOPE_LAMBDA_ZIP";
  const std::string& arch = Get("GATESCOPE_LAMBDA_ARCHITECTURE");
  if (!IsSet(kKey)) s_.values[std::string(kKey)] = "gatescope-lambda-" + arch + ".zip";
  const std::string path = Abs(Get(kKey));
  s_.values[std::string(kKey)] = path;
  // A bad architecture is reported already; the default name built from it would only add noise.
  if (bad_.count(kKey) || bad_.count("GATESCOPE_LAMBDA_ARCHITECTURE")) return;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    Add(kKey, path + " does not exist; build it with scripts/package_lambda.sh on " + arch +
                  " (or --output it here)");
    return;
  }
  if (!fs::is_regular_file(path, ec)) {
    Add(kKey, path + " is not a regular file");
    return;
  }
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  if (!in || std::string_view(magic, 4) != std::string_view("PK\x03\x04", 4)) {
    Add(kKey, path + " is not a zip file");
    return;
  }
  const std::string name = Lower(fs::path(path).filename().string());
  const bool says_arm =
      name.find("arm64") != std::string::npos || name.find("aarch64") != std::string::npos;
  const bool says_x86 =
      name.find("x86_64") != std::string::npos || name.find("amd64") != std::string::npos;
  if ((arch == "x86_64" && says_arm && !says_x86) || (arch == "arm64" && says_x86 && !says_arm)) {
    Add(kKey, "its name says another architecture than GATESCOPE_LAMBDA_ARCHITECTURE=" + arch);
  }
}

void Checker::ReadIdList(std::string_view key, std::vector<std::string>& out, bool ous) {
  const std::string path = Abs(Get(key));
  s_.values[std::string(key)] = path;
  if (bad_.count(key)) return;
  ReadResult file = ReadSmallFile(path);
  if (!file.ok) {
    Add(key, path + " " + file.error);
    return;
  }
  const std::string name = fs::path(path).filename().string();
  static const RE2 root_id(R"(r-[0-9a-z]{4,32})");
  static const RE2 ou_id(R"(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})");
  bool keyword = false;
  bool ids = false;
  std::set<std::string, std::less<>> seen;
  for (const CsvCell& cell : ParseCsvCells(file.text)) {
    const std::string where = name + ":" + std::to_string(cell.row) + ": ";
    if (LooksLikePlaceholder(cell.value)) {
      Add(key, where + Quoted(cell.value) + " is a placeholder; set the real value");
      continue;
    }
    bool valid;
    if (ous) {
      const bool is_keyword = cell.value == "root" || cell.value == "all";
      valid = is_keyword || FullMatch(cell.value, root_id) || FullMatch(cell.value, ou_id);
      if (!valid) {
        Add(key, where + Quoted(cell.value) +
                     " is not root, all, a root id (r-...) or an OU id (ou-...-...)");
        continue;
      }
      (is_keyword ? keyword : ids) = true;
    } else {
      valid = IsAccountId(cell.value);
      if (!valid) {
        Add(key, where + Quoted(cell.value) + " is not a 12-digit account id");
        continue;
      }
    }
    if (!seen.insert(cell.value).second) {
      Add(key, where + cell.value + " is listed twice", /*warning=*/true);
      continue;
    }
    out.push_back(cell.value);
  }
  if (ous && keyword && ids) {
    Add(key, name + ": root and all cannot be mixed with OU or root ids");
  } else if (ous && keyword && out.size() > 1) {
    Add(key, name + ": root and all target the whole organization; list one of them only");
  }
  if (out.empty() && !bad_.count(key)) {
    bool had_problem = false;
    for (const Problem& p : s_.problems) had_problem = had_problem || (p.key == key && !p.warning);
    if (!had_problem) Add(key, path + " lists nothing");
  }
}

void Checker::ReadApisFile() {
  constexpr std::string_view kKey = "GATESCOPE_APIS_FILE";
  const std::string path = Abs(Get(kKey));
  s_.values[std::string(kKey)] = path;
  if (bad_.count(kKey)) return;
  ReadResult file = ReadSmallFile(path);
  if (!file.ok) {
    Add(kKey, path + " " + file.error);
    return;
  }
  const std::string name = fs::path(path).filename().string();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(file.text);
  } catch (const nlohmann::json::exception& e) {
    Add(kKey, name + ": not JSON: " + e.what());
    return;
  }
  constexpr std::string_view kShape =
      "must be a JSON array of {\"region\", \"api_id\", \"stage\", \"account_id\"?, "
      "\"access_log_group\"?}";
  if (!j.is_array() || j.empty()) {
    Add(kKey, name + ": " + std::string(kShape) + (j.is_array() ? " (it is empty)" : ""));
    return;
  }
  static const RE2 api_id_re(R"([a-z0-9]{10})");
  static const RE2 stage_re(R"([A-Za-z0-9_$-]{1,128})");
  const KnownRegion* home = preferred();
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string where = name + ": item " + std::to_string(i) + ": ";
    const nlohmann::json& item = j[i];
    if (!item.is_object()) {
      Add(kKey, where + "is not an object; " + std::string(kShape));
      continue;
    }
    std::map<std::string, std::string> fields;
    for (const auto& [field, value] : item.items()) {
      if (field != "region" && field != "api_id" && field != "stage" && field != "account_id" &&
          field != "access_log_group") {
        Add(kKey, where + "unknown field " + Quoted(field) + "; " + std::string(kShape));
      } else if (!value.is_string()) {
        Add(kKey, where + "\"" + field + "\" must be a string");
      } else {
        fields[field] = value.get<std::string>();
      }
    }
    for (const char* required : {"region", "api_id", "stage"}) {
      if (!item.contains(required)) Add(kKey, where + "\"" + required + "\" is required");
    }
    if (auto it = fields.find("region"); it != fields.end()) {
      const KnownRegion* region = FindKnownRegion(it->second);
      if (region == nullptr) {
        Add(kKey, where + "region " + Quoted(it->second) + " is not a known AWS region");
      } else if (s_.regions != std::vector<std::string>{"all"} &&
                 std::find(s_.regions.begin(), s_.regions.end(), it->second) == s_.regions.end()) {
        Add(kKey, where + "region " + it->second + " is not in GATESCOPE_REGIONS");
      } else if (home != nullptr && region->partition != home->partition) {
        Add(kKey, where + "region " + it->second + " is not in the preferred region's partition");
      } else {
        s_.api_regions.push_back(it->second);
      }
    }
    if (auto it = fields.find("api_id"); it != fields.end() && !FullMatch(it->second, api_id_re)) {
      Add(kKey, where + "api_id " + Quoted(it->second) +
                    " is not an API Gateway id (10 lowercase letters or digits)");
    }
    if (auto it = fields.find("stage"); it != fields.end() && !FullMatch(it->second, stage_re)) {
      Add(kKey, where + "stage " + Quoted(it->second) +
                    " is not a stage name (letters, digits, _ and -, or $default)");
    }
    if (auto it = fields.find("account_id"); it != fields.end() && !IsAccountId(it->second)) {
      Add(kKey, where + "account_id " + Quoted(it->second) + " is not a 12-digit account id");
    }
    if (auto it = fields.find("access_log_group");
        it != fields.end() && !aws::IsValidLogGroupName(it->second)) {
      Add(kKey, where + "access_log_group " + Quoted(it->second) +
                    " is not a log group name (1-512 of letters, digits and ._-/#)");
    }
  }
}

void Checker::CheckFiles() {
  const bool org = True("GATESCOPE_ORGANIZATION_DEPLOYMENT");
  if (org && IsSet("GATESCOPE_ORGANIZATIONAL_UNITS_FILE")) {
    ReadIdList("GATESCOPE_ORGANIZATIONAL_UNITS_FILE", s_.organizational_units, /*ous=*/true);
  }
  if (org && IsSet("GATESCOPE_ACCOUNT_FILTER_FILE")) {
    ReadIdList("GATESCOPE_ACCOUNT_FILTER_FILE", s_.account_filter, /*ous=*/false);
  }
  if (!org && IsSet("GATESCOPE_ACCOUNTS_FILE")) {
    ReadIdList("GATESCOPE_ACCOUNTS_FILE", s_.accounts, /*ous=*/false);
  }
  if (IsSet("GATESCOPE_APIS_FILE")) ReadApisFile();
  // Paths the checks above did not read (wrong mode) are still printed absolute.
  for (const SettingSpec& spec : kSpecs) {
    if (spec.kind == K::kFile && IsSet(spec.key) && spec.key != "GATESCOPE_LAMBDA_ZIP") {
      s_.values[std::string(spec.key)] = Abs(Get(spec.key));
    }
  }
  CheckLambdaZip();
}

void Checker::Run(const DotenvFile& file) {
  for (const Problem& p : file.problems) s_.problems.push_back(p);
  ReadEntries(file);
  for (const SettingSpec& spec : kSpecs) {
    auto it = s_.values.find(spec.key);
    if (it != s_.values.end()) {
      CheckValue(spec, it->second);
    } else if (spec.key == "GATESCOPE_COLLECTOR_URL" && !bad_.count(spec.key)) {
      Add(spec.key, "required: " + std::string(spec.help));
    }
  }
  // Defaults for what is unset or broken, so that later checks read sound values.
  for (const SettingSpec& spec : kSpecs) {
    auto it = s_.values.find(spec.key);
    if (it == s_.values.end()) {
      s_.values[std::string(spec.key)] = std::string(spec.default_value);
    }
  }
  CheckRegions();
  CheckConflicts();
  CheckFiles();
  CheckBucketPrefix();
  if (!s_.values.count("GATESCOPE_BUCKET_PREFIX")) s_.values["GATESCOPE_BUCKET_PREFIX"] = "";
}

void AppendJsonString(std::string& out, std::string_view key, const nlohmann::json& value) {
  out += out.size() > 1 ? ",\n  " : "\n  ";
  // A value need not be UTF-8 (the .env is bytes): replace, as dump() would throw otherwise.
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  out += nlohmann::json(std::string(key)).dump(-1, ' ', false, kReplace) + ": " +
         value.dump(-1, ' ', false, kReplace);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

// The lists read from the files, after the per-key settings in both outputs. GS_REGIONS is
// the GATESCOPE_REGIONS line itself, normalised to the list.
std::vector<std::pair<std::string, const std::vector<std::string>*>> Lists(
    const DeploySettings& s) {
  return {{"GS_ORGANIZATIONAL_UNITS", &s.organizational_units},
          {"GS_ACCOUNT_FILTER", &s.account_filter},
          {"GS_ACCOUNTS", &s.accounts}};
}

std::string ShellName(std::string_view key) {
  return "GS_" + std::string(key.substr(std::string_view("GATESCOPE_").size()));
}

}  // namespace

std::span<const SettingSpec> DeploySettingSpecs() { return kSpecs; }

const std::string& DeploySettings::Get(std::string_view key) const {
  static const std::string kEmpty;
  auto it = values.find(key);
  return it == values.end() ? kEmpty : it->second;
}

int DeploySettings::LineOf(std::string_view key) const {
  auto it = lines.find(key);
  return it == lines.end() ? 0 : it->second;
}

bool DeploySettings::ok() const {
  return std::none_of(problems.begin(), problems.end(),
                      [](const Problem& p) { return !p.warning; });
}

DeploySettings CheckDeploySettings(const DotenvFile& file, std::string_view env_path) {
  DeploySettings s;
  s.env_file = std::string(env_path);
  std::error_code ec;
  fs::path dir = fs::path(env_path).parent_path();
  fs::path abs = fs::absolute(dir.empty() ? fs::path(".") : dir, ec);
  s.env_dir = (ec ? dir : abs).lexically_normal().string();
  if (s.env_dir.size() > 1 && s.env_dir.back() == '/') s.env_dir.pop_back();
  Checker(s).Run(file);
  // File order, then the missing keys: what an editor's jump-to-line wants.
  std::stable_sort(s.problems.begin(), s.problems.end(), [](const Problem& a, const Problem& b) {
    const int la = a.line == 0 ? INT32_MAX : a.line;
    const int lb = b.line == 0 ? INT32_MAX : b.line;
    return la < lb;
  });
  return s;
}

DeploySettings LoadDeploySettings(std::string_view env_path) {
  ReadResult file = ReadSmallFile(std::string(env_path));
  if (!file.ok) {
    DeploySettings s;
    s.env_file = std::string(env_path);
    s.problems.push_back(
        {.message = "the .env " + file.error + " (copy deploy/.env.example and fill it in)"});
    return s;
  }
  return CheckDeploySettings(ParseDotenv(file.text), env_path);
}

void ApplyAccountRegions(DeploySettings& s, const std::vector<AccountRegion>& account) {
  constexpr std::string_view kKey = "GATESCOPE_REGIONS";
  auto find = [&](std::string_view name) -> const AccountRegion* {
    for (const AccountRegion& r : account) {
      if (r.name == name) return &r;
    }
    return nullptr;
  };
  auto check = [&](std::string_view key, const std::string& name) {
    const AccountRegion* r = find(name);
    if (r == nullptr) {
      s.problems.push_back({.line = s.LineOf(key),
                            .key = std::string(key),
                            .message = name + " is not available to this account "
                                              "(EC2 DescribeRegions does not list it)"});
    } else if (!r->enabled) {
      s.problems.push_back({.line = s.LineOf(key),
                            .key = std::string(key),
                            .message = name + " is not enabled in this account (opt-in status " +
                                       (r->opt_in_status.empty() ? "unknown" : r->opt_in_status) +
                                       "); enable it (Account > AWS Regions) or remove it"});
    }
  };
  check("GATESCOPE_PREFERRED_REGION", s.Get("GATESCOPE_PREFERRED_REGION"));
  if (s.regions == std::vector<std::string>{"all"}) {
    const KnownRegion* home = FindKnownRegion(s.Get("GATESCOPE_PREFERRED_REGION"));
    s.regions.clear();
    for (const AccountRegion& r : account) {
      const KnownRegion* known = FindKnownRegion(r.name);
      // A region too new for our table still counts; its partition follows its name.
      const bool same_partition =
          known == nullptr || home == nullptr || known->partition == home->partition;
      if (r.enabled && same_partition) s.regions.push_back(r.name);
    }
    if (s.regions.empty()) {
      s.problems.push_back({.line = s.LineOf(kKey),
                            .key = std::string(kKey),
                            .message = "all: the account has no enabled region"});
    }
  } else {
    for (const std::string& name : s.regions) check(kKey, name);
  }
  for (const std::string& region : s.api_regions) {
    if (std::find(s.regions.begin(), s.regions.end(), region) == s.regions.end()) {
      constexpr std::string_view kApis = "GATESCOPE_APIS_FILE";
      s.problems.push_back(
          {.line = s.LineOf(kApis),
           .key = std::string(kApis),
           .message = "region " + region + " is not among the account's enabled regions in scope"});
    }
  }
}

std::string ShellQuote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

std::string FormatShell(const DeploySettings& s) {
  std::string out;
  for (const SettingSpec& spec : kSpecs) {
    const std::string value = spec.key == "GATESCOPE_REGIONS" ? Join(s.regions) : s.Get(spec.key);
    out += ShellName(spec.key) + "=" + ShellQuote(value) + "\n";
  }
  out += "GS_ENV_DIR=" + ShellQuote(s.env_dir) + "\n";
  for (const auto& [name, list] : Lists(s)) out += name + "=" + ShellQuote(Join(*list)) + "\n";
  return out;
}

std::string FormatJson(const DeploySettings& s) {
  std::string out = "{";
  for (const SettingSpec& spec : kSpecs) {
    const std::string& v = s.Get(spec.key);
    if (spec.key == "GATESCOPE_REGIONS") {
      AppendJsonString(out, ShellName(spec.key), s.regions);
    } else {
      AppendJsonString(out, ShellName(spec.key), spec.secret && !v.empty() ? "***" : v);
    }
  }
  AppendJsonString(out, "GS_ENV_DIR", s.env_dir);
  for (const auto& [name, list] : Lists(s)) AppendJsonString(out, name, *list);
  return out + "\n}\n";
}

std::string FormatText(const DeploySettings& s) {
  std::string out;
  std::string_view group;
  for (const SettingSpec& spec : kSpecs) {
    if (spec.group != group) {
      group = spec.group;
      out += "# " + std::string(group) + "\n";
    }
    const std::string& v = s.Get(spec.key);
    out += std::string(spec.key) + "=" + (spec.secret && !v.empty() ? "***" : v);
    if (s.set_keys.count(spec.key) == 0) out += "  # default";
    out += "\n";
  }
  out += "# derived\n";
  out += "regions: " + Join(s.regions) + "\n";
  if (!s.organizational_units.empty()) {
    out += "organizational units: " + Join(s.organizational_units) + "\n";
  }
  if (!s.account_filter.empty()) out += "account filter: " + Join(s.account_filter) + "\n";
  if (!s.accounts.empty()) out += "accounts: " + Join(s.accounts) + "\n";
  return out;
}

}  // namespace gatescope::deploy
