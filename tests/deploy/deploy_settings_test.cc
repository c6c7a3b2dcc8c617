// The `.env` checker (src/deploy/deploy_settings.h): defaults, every per-key check, the
// conflicts between keys, the files it reads, placeholders, the account's regions, and the
// three output formats (the shell one through a real bash `eval`).
#include "deploy/deploy_settings.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "deploy/aws_regions.h"
#include "deploy/csv_list.h"
#include "deploy/schedule_expression.h"
#include "tests/support/test_util.h"

namespace gatescope::deploy {
namespace {

constexpr std::string_view kBase =
    "GATESCOPE_COLLECTOR_URL=https://inventory.corp.internal/v1/batches\n"
    "GATESCOPE_OAUTH_TOKEN_URL=https://inventory.corp.internal/oauth2/token\n"
    "GATESCOPE_OAUTH_CLIENT_ID=connector\n"
    "GATESCOPE_OAUTH_CLIENT_SECRET=s3cr3t\n";
constexpr int kBaseLines = 4;

std::string RepoRoot() {
  const char* fixtures = std::getenv("GS_FIXTURES");
  return fixtures == nullptr ? std::string("..") : std::string(fixtures) + "/../..";
}

class DeploySettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.Write("gatescope-lambda-x86_64.zip", std::string("PK\x03\x04rest", 8));
  }

  // Checks kBase followed by `extra` (written to <dir>/.env).
  DeploySettings Check(std::string_view extra, bool with_base = true) {
    std::string text = with_base ? std::string(kBase) : std::string();
    text += extra;
    return LoadDeploySettings(dir_.Write(".env", text));
  }

  // The problems as printed, for failure messages.
  static std::string Printed(const DeploySettings& s) {
    std::string out;
    for (const Problem& p : s.problems) out += FormatProblem(".env", p) + "\n";
    return out;
  }

  // True when a problem names `key` at `line` and its message contains `text`.
  static bool Has(const DeploySettings& s, std::string_view key, int line, std::string_view text,
                  bool warning = false) {
    return std::any_of(s.problems.begin(), s.problems.end(), [&](const Problem& p) {
      return p.key == key && p.line == line && p.warning == warning &&
             p.message.find(text) != std::string::npos;
    });
  }

  testing::TempDir dir_;
};

TEST_F(DeploySettingsTest, MinimalFileIsCleanWithEveryDefaultApplied) {
  DeploySettings s = Check("");
  ASSERT_TRUE(s.ok()) << Printed(s);
  EXPECT_TRUE(s.problems.empty()) << Printed(s);
  for (const SettingSpec& spec : DeploySettingSpecs()) {
    if (spec.key == "GATESCOPE_LAMBDA_ZIP" || spec.key == "GATESCOPE_COLLECTOR_URL" ||
        (spec.key.starts_with("GATESCOPE_OAUTH_") && spec.key != "GATESCOPE_OAUTH_SCOPE")) {
      continue;
    }
    EXPECT_EQ(s.Get(spec.key), spec.default_value) << spec.key;
  }
  EXPECT_EQ(s.Get("GATESCOPE_LAMBDA_ZIP"), dir_.path() + "/gatescope-lambda-x86_64.zip");
  EXPECT_EQ(s.Get("GATESCOPE_BUCKET_PREFIX"), "");
  EXPECT_EQ(s.Get("GATESCOPE_REGIONS"), "all");
  EXPECT_EQ(s.regions, std::vector<std::string>{"all"});
  EXPECT_EQ(s.env_dir, std::filesystem::path(dir_.path()).lexically_normal().string());
}

TEST_F(DeploySettingsTest, EmptyValueMeansDefault) {
  DeploySettings s = Check("GATESCOPE_REGIONS=\nGATESCOPE_LAMBDA_MEMORY_MB=''\n");
  ASSERT_TRUE(s.ok()) << Printed(s);
  EXPECT_EQ(s.Get("GATESCOPE_REGIONS"), "all");
  EXPECT_EQ(s.Get("GATESCOPE_LAMBDA_MEMORY_MB"), "256");
}

TEST_F(DeploySettingsTest, MissingRequiredKeysHaveNoLine) {
  DeploySettings s = Check("GATESCOPE_LOG_LEVEL=debug\n", /*with_base=*/false);
  EXPECT_FALSE(s.ok());
  for (std::string_view key : {"GATESCOPE_COLLECTOR_URL", "GATESCOPE_OAUTH_TOKEN_URL",
                               "GATESCOPE_OAUTH_CLIENT_ID", "GATESCOPE_OAUTH_CLIENT_SECRET"}) {
    EXPECT_TRUE(Has(s, key, 0, "required")) << key << "\n" << Printed(s);
  }
  EXPECT_EQ(s.problems.size(), 4u) << Printed(s);
  EXPECT_EQ(FormatProblem(".env", s.problems[0]).rfind(".env: GATESCOPE_", 0), 0u);
}

TEST_F(DeploySettingsTest, UnreadableFileIsOneProblem) {
  DeploySettings s = LoadDeploySettings(dir_.File("missing.env"));
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_NE(s.problems[0].message.find("does not exist"), std::string::npos);
}

// One bad line appended to a valid file: the problem names that key on that line.
struct BadValue {
  std::string line;
  std::string key;
  std::string text;  // Part of the message.
};

TEST_F(DeploySettingsTest, EveryPerKeyCheckNamesTheKeyAndLine) {
  const BadValue cases[] = {
      {"GATESCOPE_COLLECTOR_URL2=x", "GATESCOPE_COLLECTOR_URL2", "did you mean"},
      {"GATESCOPE_TOTALLY_UNKNOWN=x", "GATESCOPE_TOTALLY_UNKNOWN", "unknown setting"},
      {"OTHER_KEY=x", "OTHER_KEY", "GATESCOPE_*"},
      {"GATESCOPE_AUTH=token", "GATESCOPE_AUTH", "oauth2,none"},
      {"GATESCOPE_OAUTH_SCOPE=<scope>", "GATESCOPE_OAUTH_SCOPE", "placeholder"},
      {"GATESCOPE_REGIONS=us-east-1,eu-west-9", "GATESCOPE_REGIONS", "not a known AWS region"},
      {"GATESCOPE_REGIONS=us-east-1,us-east-1", "GATESCOPE_REGIONS", "listed twice"},
      {"GATESCOPE_REGIONS=all,us-east-1", "GATESCOPE_REGIONS", "cannot be mixed"},
      {"GATESCOPE_REGIONS=us-east-1,,eu-west-1", "GATESCOPE_REGIONS", "empty item"},
      {"GATESCOPE_REGIONS=us-east-1,cn-north-1", "GATESCOPE_REGIONS", "partition"},
      {"GATESCOPE_PREFERRED_REGION=mars-1", "GATESCOPE_PREFERRED_REGION", "known AWS region"},
      {"GATESCOPE_ORGANIZATION_DEPLOYMENT=yes", "GATESCOPE_ORGANIZATION_DEPLOYMENT", "true,false"},
      {"GATESCOPE_ORGANIZATION_ID=o-abc", "GATESCOPE_ORGANIZATION_ID", "o- and 10-32"},
      {"GATESCOPE_ADMINISTRATION_ROLE_ARN=arn:aws:iam::123:role/x",
       "GATESCOPE_ADMINISTRATION_ROLE_ARN", "IAM role ARN"},
      {"GATESCOPE_EXECUTION_ROLE_NAME=bad name", "GATESCOPE_EXECUTION_ROLE_NAME", "IAM role name"},
      {"GATESCOPE_MAX_CONCURRENT_PERCENTAGE=0", "GATESCOPE_MAX_CONCURRENT_PERCENTAGE", "1 to 100"},
      {"GATESCOPE_FAILURE_TOLERANCE_PERCENTAGE=101", "GATESCOPE_FAILURE_TOLERANCE_PERCENTAGE",
       "0 to 100"},
      {"GATESCOPE_FAILURE_TOLERANCE_PERCENTAGE=-1", "GATESCOPE_FAILURE_TOLERANCE_PERCENTAGE",
       "0 to 100"},
      {"GATESCOPE_REGION_CONCURRENCY=parallel", "GATESCOPE_REGION_CONCURRENCY",
       "PARALLEL,SEQUENTIAL"},
      {"GATESCOPE_CONCURRENCY_MODE=SOFT", "GATESCOPE_CONCURRENCY_MODE", "SOFT_FAILURE_TOLERANCE"},
      {"GATESCOPE_REST_ENABLED=True", "GATESCOPE_REST_ENABLED", "true,false"},
      {"GATESCOPE_HTTP_ENABLED=1", "GATESCOPE_HTTP_ENABLED", "true,false"},
      {"GATESCOPE_DISCOVER=no", "GATESCOPE_DISCOVER", "true,false"},
      {"GATESCOPE_REST_EXECUTION_LOGS_EXIST=maybe", "GATESCOPE_REST_EXECUTION_LOGS_EXIST",
       "true,false"},
      {"GATESCOPE_HTTP_ACCESS_LOGS_EXIST=x", "GATESCOPE_HTTP_ACCESS_LOGS_EXIST", "true,false"},
      {"GATESCOPE_HTTP_ACCESS_LOG_GROUP=bad group", "GATESCOPE_HTTP_ACCESS_LOG_GROUP",
       "log group name"},
      {"GATESCOPE_ENABLE_DEFAULT_STAGE_LOGGING=on", "GATESCOPE_ENABLE_DEFAULT_STAGE_LOGGING",
       "true,false"},
      {"GATESCOPE_COLLECTION=poll", "GATESCOPE_COLLECTION", "push,pull"},
      {"GATESCOPE_REFRESH_SCHEDULE=rate(15 minute)", "GATESCOPE_REFRESH_SCHEDULE", "plural"},
      {"GATESCOPE_REFRESH_SCHEDULE=cron(0 12 * * *)", "GATESCOPE_REFRESH_SCHEDULE", "6 fields"},
      {"GATESCOPE_REFRESH_SCHEDULE=at(2026-01-01T00:00:00)", "GATESCOPE_REFRESH_SCHEDULE",
       "runs once"},
      {"GATESCOPE_LOG_RETENTION_DAYS=31", "GATESCOPE_LOG_RETENTION_DAYS", "3653"},
      {"GATESCOPE_LOG_LEVEL=verbose", "GATESCOPE_LOG_LEVEL", "error,warning,info,debug,trace"},
      {"GATESCOPE_CONTENT_TYPE_REGEX=(json", "GATESCOPE_CONTENT_TYPE_REGEX", "RE2"},
      {"GATESCOPE_STATIC_FILE_REGEX='\\.(css|js'", "GATESCOPE_STATIC_FILE_REGEX", "RE2"},
      {"GATESCOPE_LAMBDA_ARCHITECTURE=aarch64", "GATESCOPE_LAMBDA_ARCHITECTURE", "x86_64,arm64"},
      {"GATESCOPE_LAMBDA_MEMORY_MB=127", "GATESCOPE_LAMBDA_MEMORY_MB", "128 to 10240"},
      {"GATESCOPE_LAMBDA_MEMORY_MB=10241", "GATESCOPE_LAMBDA_MEMORY_MB", "128 to 10240"},
      {"GATESCOPE_LAMBDA_MEMORY_MB=256MB", "GATESCOPE_LAMBDA_MEMORY_MB", "128 to 10240"},
      {"GATESCOPE_LAMBDA_TIMEOUT_SECONDS=9", "GATESCOPE_LAMBDA_TIMEOUT_SECONDS", "10 to 900"},
      {"GATESCOPE_RESERVED_CONCURRENCY=0", "GATESCOPE_RESERVED_CONCURRENCY", "(or empty)"},
      {"GATESCOPE_RESERVED_CONCURRENCY=1001", "GATESCOPE_RESERVED_CONCURRENCY", "1 to 1000"},
      {"GATESCOPE_LAMBDA_ROLE_ARN=role/x", "GATESCOPE_LAMBDA_ROLE_ARN", "IAM role ARN"},
      {"GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN=arn:aws:iam::123456789012:user/x",
       "GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN", "IAM role ARN"},
      {"GATESCOPE_SCHEDULER_ROLE_ARN=arn:aws:iam::<account>:role/x", "GATESCOPE_SCHEDULER_ROLE_ARN",
       "placeholder"},
      {"GATESCOPE_BUCKET_PREFIX=My-Bucket", "GATESCOPE_BUCKET_PREFIX", "lowercase"},
      {"GATESCOPE_BUCKET_PREFIX=xn--abc", "GATESCOPE_BUCKET_PREFIX", "xn--"},
      {"GATESCOPE_MANAGE_BUCKETS=TRUE", "GATESCOPE_MANAGE_BUCKETS", "true,false"},
      {"GATESCOPE_AUTO_CONFIRM_UPLOAD=y", "GATESCOPE_AUTO_CONFIRM_UPLOAD", "true,false"},
      {"GATESCOPE_AUTO_CONFIRM_STACKSET=y", "GATESCOPE_AUTO_CONFIRM_STACKSET", "true,false"},
      {"GATESCOPE_AUTO_DELETE_ARTIFACTS=y", "GATESCOPE_AUTO_DELETE_ARTIFACTS", "true,false"},
      {"GATESCOPE_STACKSET_NAME=1-starts-with-digit", "GATESCOPE_STACKSET_NAME", "letter"},
      {"GATESCOPE_STACKSET_NAME=has_underscore", "GATESCOPE_STACKSET_NAME", "letter"},
      {"GATESCOPE_CREATE_STACKSET=n", "GATESCOPE_CREATE_STACKSET", "true,false"},
      {"GATESCOPE_LAMBDA_ZIP=nowhere.zip", "GATESCOPE_LAMBDA_ZIP", "does not exist"},
  };
  for (const BadValue& c : cases) {
    DeploySettings s = Check(c.line + "\n");
    EXPECT_FALSE(s.ok()) << c.line;
    EXPECT_TRUE(Has(s, c.key, kBaseLines + 1, c.text)) << c.line << "\n" << Printed(s);
  }
}

TEST_F(DeploySettingsTest, UrlsMustBeHttpsExceptToLoopback) {
  DeploySettings s = Check(
      "GATESCOPE_COLLECTOR_URL=http://inventory.corp.internal/v1/batches\n"
      "GATESCOPE_OAUTH_TOKEN_URL=ftp://x/y\n",
      /*with_base=*/false);
  EXPECT_TRUE(Has(s, "GATESCOPE_COLLECTOR_URL", 1, "https://")) << Printed(s);
  EXPECT_TRUE(Has(s, "GATESCOPE_OAUTH_TOKEN_URL", 2, "https://")) << Printed(s);
  s = Check(
      "GATESCOPE_COLLECTOR_URL=http://127.0.0.1:8080/v1/batches\n"
      "GATESCOPE_OAUTH_TOKEN_URL=http://localhost:8080/oauth2/token\n"
      "GATESCOPE_OAUTH_CLIENT_ID=a\nGATESCOPE_OAUTH_CLIENT_SECRET=b\n",
      /*with_base=*/false);
  EXPECT_TRUE(s.problems.empty()) << Printed(s);
}

// A name that starts like a loopback address resolves anywhere: it needs TLS like any host.
TEST_F(DeploySettingsTest, LoopbackLookalikeNeedsHttps) {
  DeploySettings s = Check(
      "GATESCOPE_COLLECTOR_URL=http://127.0.0.1.attacker.example/v1/batches\n"
      "GATESCOPE_OAUTH_TOKEN_URL=http://127.1/oauth2/token\n",
      /*with_base=*/false);
  EXPECT_TRUE(Has(s, "GATESCOPE_COLLECTOR_URL", 1, "https://")) << Printed(s);
  EXPECT_TRUE(Has(s, "GATESCOPE_OAUTH_TOKEN_URL", 2, "https://")) << Printed(s);
}

TEST_F(DeploySettingsTest, CollectorPathOtherThanBatchesIsAWarning) {
  DeploySettings s = Check(
      "GATESCOPE_COLLECTOR_URL=https://inventory.corp.internal/v1/logs\n"
      "GATESCOPE_OAUTH_TOKEN_URL=https://inventory.corp.internal/oauth2/token\n"
      "GATESCOPE_OAUTH_CLIENT_ID=a\nGATESCOPE_OAUTH_CLIENT_SECRET=b\n",
      /*with_base=*/false);
  EXPECT_TRUE(s.ok()) << Printed(s);
  EXPECT_TRUE(Has(s, "GATESCOPE_COLLECTOR_URL", 1, "/v1/batches", /*warning=*/true));
}

TEST_F(DeploySettingsTest, ListsEveryProblemInFileOrder) {
  DeploySettings s = Check(
      "GATESCOPE_LOG_LEVEL=loud\n"
      "GATESCOPE_LAMBDA_MEMORY_MB=1\n"
      "GATESCOPE_LOG_LEVEL=info\n"
      "GATESCOPE_COLECTION=pull\n"
      "not a line\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_LOG_LEVEL", 5, "error,warning"));
  EXPECT_TRUE(Has(s, "GATESCOPE_LAMBDA_MEMORY_MB", 6, "128"));
  EXPECT_TRUE(Has(s, "GATESCOPE_LOG_LEVEL", 7, "set twice"));
  EXPECT_TRUE(Has(s, "GATESCOPE_COLECTION", 8, "did you mean GATESCOPE_COLLECTION"));
  EXPECT_TRUE(Has(s, "not", 9, "KEY=VALUE"));
  ASSERT_EQ(s.problems.size(), 5u) << Printed(s);
  for (size_t i = 1; i < s.problems.size(); ++i) {
    EXPECT_LE(s.problems[i - 1].line, s.problems[i].line);
  }
}

TEST_F(DeploySettingsTest, PlaceholdersAreFlaggedWithoutEchoingSecrets) {
  DeploySettings s = Check(
      "GATESCOPE_OAUTH_SCOPE=changeme\n"
      "GATESCOPE_ORGANIZATION_ID=o-xxxxxxxxxx\n"
      "GATESCOPE_STACKSET_NAME=your-stackset\n",
      /*with_base=*/false);
  EXPECT_TRUE(Has(s, "GATESCOPE_OAUTH_SCOPE", 1, "placeholder"));
  EXPECT_TRUE(Has(s, "GATESCOPE_ORGANIZATION_ID", 2, "placeholder"));
  EXPECT_TRUE(Has(s, "GATESCOPE_STACKSET_NAME", 3, "placeholder"));
  s = Check(
      "GATESCOPE_COLLECTOR_URL=https://collector.example.com/v1/batches\n"
      "GATESCOPE_OAUTH_TOKEN_URL=https://auth.example.com/token\n"
      "GATESCOPE_OAUTH_CLIENT_ID=<client-id>\n"
      "GATESCOPE_OAUTH_CLIENT_SECRET=<my-very-secret>\n",
      /*with_base=*/false);
  for (int line = 1; line <= 4; ++line) {
    EXPECT_TRUE(std::any_of(s.problems.begin(), s.problems.end(),
                            [&](const Problem& p) {
                              return p.line == line &&
                                     p.message.find("placeholder") != std::string::npos;
                            }))
        << line << "\n"
        << Printed(s);
  }
  EXPECT_EQ(Printed(s).find("my-very-secret"), std::string::npos) << Printed(s);
  // A regex may hold <...> (named groups) and is not taken for a placeholder.
  EXPECT_TRUE(Check("GATESCOPE_STATIC_FILE_REGEX=(?P<ext>\\.css)$\n").ok());
}

TEST_F(DeploySettingsTest, AuthNoneIsAWarningAndConflictsWithOAuthKeys) {
  DeploySettings s = Check(
      "GATESCOPE_COLLECTOR_URL=https://inventory.corp.internal/v1/batches\n"
      "GATESCOPE_AUTH=none\n",
      /*with_base=*/false);
  EXPECT_TRUE(s.ok()) << Printed(s);
  EXPECT_TRUE(Has(s, "GATESCOPE_AUTH", 2, "without authentication", /*warning=*/true));
  s = Check("GATESCOPE_AUTH=none\n");
  EXPECT_FALSE(s.ok());
  for (std::string_view key : {"GATESCOPE_OAUTH_TOKEN_URL", "GATESCOPE_OAUTH_CLIENT_ID",
                               "GATESCOPE_OAUTH_CLIENT_SECRET"}) {
    EXPECT_TRUE(std::any_of(s.problems.begin(), s.problems.end(), [&](const Problem& p) {
      return p.key == key && p.message.find("AUTH=none") != std::string::npos;
    })) << key;
  }
}

TEST_F(DeploySettingsTest, ModeSpecificKeysConflictWithTheOtherMode) {
  dir_.Write("ous.csv", "root\n");
  dir_.Write("accounts.csv", "111122223333\n");
  DeploySettings s = Check(
      "GATESCOPE_ORGANIZATIONAL_UNITS_FILE=ous.csv\n"
      "GATESCOPE_ACCOUNT_FILTER_FILE=accounts.csv\n"
      "GATESCOPE_ACCOUNT_FILTER_TYPE=INTERSECTION\n"
      "GATESCOPE_CALL_AS=DELEGATED_ADMIN\n"
      "GATESCOPE_AUTO_DEPLOYMENT=false\n"
      "GATESCOPE_RETAIN_STACKS_ON_ACCOUNT_REMOVAL=true\n");
  int line = kBaseLines;
  for (std::string_view key :
       {"GATESCOPE_ORGANIZATIONAL_UNITS_FILE", "GATESCOPE_ACCOUNT_FILTER_FILE",
        "GATESCOPE_ACCOUNT_FILTER_TYPE", "GATESCOPE_CALL_AS", "GATESCOPE_AUTO_DEPLOYMENT",
        "GATESCOPE_RETAIN_STACKS_ON_ACCOUNT_REMOVAL"}) {
    EXPECT_TRUE(Has(s, key, ++line, "organization deployment")) << key << "\n" << Printed(s);
  }
  s = Check(
      "GATESCOPE_ORGANIZATION_DEPLOYMENT=true\n"
      "GATESCOPE_ORGANIZATIONAL_UNITS_FILE=ous.csv\n"
      "GATESCOPE_ACCOUNTS_FILE=accounts.csv\n"
      "GATESCOPE_ADMINISTRATION_ROLE_ARN=arn:aws:iam::111122223333:role/Admin\n"
      "GATESCOPE_EXECUTION_ROLE_NAME=Exec\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_ACCOUNTS_FILE", 7, "self-managed")) << Printed(s);
  EXPECT_TRUE(Has(s, "GATESCOPE_ADMINISTRATION_ROLE_ARN", 8, "self-managed"));
  EXPECT_TRUE(Has(s, "GATESCOPE_EXECUTION_ROLE_NAME", 9, "self-managed"));
  EXPECT_EQ(s.problems.size(), 3u) << Printed(s);
}

TEST_F(DeploySettingsTest, OrganizationNeedsUnitsAndAMatchingFilterType) {
  DeploySettings s = Check("GATESCOPE_ORGANIZATION_DEPLOYMENT=true\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_ORGANIZATIONAL_UNITS_FILE", 0, "required")) << Printed(s);
  dir_.Write("ous.csv", "ou-ab12-cdef3456\n");
  dir_.Write("filter.csv", "111122223333\n");
  s = Check(
      "GATESCOPE_ORGANIZATION_DEPLOYMENT=true\n"
      "GATESCOPE_ORGANIZATIONAL_UNITS_FILE=ous.csv\n"
      "GATESCOPE_ACCOUNT_FILTER_FILE=filter.csv\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_ACCOUNT_FILTER_FILE", 7, "INTERSECTION or DIFFERENCE"))
      << Printed(s);
  s = Check(
      "GATESCOPE_ORGANIZATION_DEPLOYMENT=true\n"
      "GATESCOPE_ORGANIZATIONAL_UNITS_FILE=ous.csv\n"
      "GATESCOPE_ACCOUNT_FILTER_TYPE=DIFFERENCE\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_ACCOUNT_FILTER_TYPE", 7, "need GATESCOPE_ACCOUNT_FILTER_FILE"))
      << Printed(s);
  s = Check(
      "GATESCOPE_ORGANIZATION_DEPLOYMENT=true\n"
      "GATESCOPE_ORGANIZATIONAL_UNITS_FILE=ous.csv\n"
      "GATESCOPE_ACCOUNT_FILTER_FILE=filter.csv\n"
      "GATESCOPE_ACCOUNT_FILTER_TYPE=DIFFERENCE\n");
  ASSERT_TRUE(s.ok()) << Printed(s);
  EXPECT_EQ(s.organizational_units, std::vector<std::string>{"ou-ab12-cdef3456"});
  EXPECT_EQ(s.account_filter, std::vector<std::string>{"111122223333"});
  EXPECT_EQ(s.Get("GATESCOPE_ORGANIZATIONAL_UNITS_FILE"), dir_.File("ous.csv"));
}

TEST_F(DeploySettingsTest, ApiSelectionConflicts) {
  dir_.Write("apis.json", R"([{"region":"us-east-1","api_id":"a1b2c3d4e5","stage":"prod"}])");
  DeploySettings s = Check("GATESCOPE_APIS_FILE=apis.json\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", 5, "GATESCOPE_DISCOVER=true")) << Printed(s);
  s = Check("GATESCOPE_DISCOVER=false\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_DISCOVER", 5, "needs GATESCOPE_APIS_FILE")) << Printed(s);
  s = Check("GATESCOPE_DISCOVER=false\nGATESCOPE_APIS_FILE=apis.json\n");
  EXPECT_TRUE(s.ok()) << Printed(s);
  EXPECT_EQ(s.api_regions, std::vector<std::string>{"us-east-1"});
  s = Check("GATESCOPE_REST_ENABLED=false\nGATESCOPE_HTTP_ENABLED=false\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_HTTP_ENABLED", 6, "nothing to collect")) << Printed(s);
  s = Check("GATESCOPE_PULL_SCHEDULE=rate(5 minutes)\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_PULL_SCHEDULE", 5, "GATESCOPE_COLLECTION=pull")) << Printed(s);
  s = Check("GATESCOPE_COLLECTION=pull\nGATESCOPE_PULL_SCHEDULE=cron(0/5 * * * ? *)\n");
  EXPECT_TRUE(s.ok()) << Printed(s);
}

TEST_F(DeploySettingsTest, ReadsListFilesAndReportsTheirRows) {
  dir_.Write("ous.csv",
             "\xEF\xBB\xBF# comment\nou-ab12-cdef3456, \"ou-ab12-ghij7890\"\r\n\nr-ab12\n");
  dir_.Write("bad-ous.csv", "root,ou-ab12-cdef3456\nou-bad\nr-xxxx\n");
  dir_.Write("accounts.csv", "111122223333,444455556666\n111122223333\n");
  dir_.Write("bad-accounts.csv", "111122223333\n12345\n");
  dir_.Write("empty.csv", "# nothing\n");
  DeploySettings s = Check(
      "GATESCOPE_ORGANIZATION_DEPLOYMENT=true\nGATESCOPE_ORGANIZATIONAL_UNITS_FILE=ous.csv\n");
  ASSERT_TRUE(s.ok()) << Printed(s);
  EXPECT_EQ(s.organizational_units,
            (std::vector<std::string>{"ou-ab12-cdef3456", "ou-ab12-ghij7890", "r-ab12"}));

  s = Check(
      "GATESCOPE_ORGANIZATION_DEPLOYMENT=true\nGATESCOPE_ORGANIZATIONAL_UNITS_FILE=bad-ous.csv\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_ORGANIZATIONAL_UNITS_FILE", 6, "bad-ous.csv:2: \"ou-bad\""))
      << Printed(s);
  EXPECT_TRUE(Has(s, "GATESCOPE_ORGANIZATIONAL_UNITS_FILE", 6,
                  "bad-ous.csv:3: \"r-xxxx\" is a "
                  "placeholder"));
  EXPECT_TRUE(Has(s, "GATESCOPE_ORGANIZATIONAL_UNITS_FILE", 6, "cannot be mixed"));

  s = Check("GATESCOPE_ACCOUNTS_FILE=accounts.csv\n");
  EXPECT_TRUE(s.ok()) << Printed(s);
  EXPECT_TRUE(Has(s, "GATESCOPE_ACCOUNTS_FILE", 5, "listed twice", /*warning=*/true));
  EXPECT_EQ(s.accounts, (std::vector<std::string>{"111122223333", "444455556666"}));

  s = Check("GATESCOPE_ACCOUNTS_FILE=bad-accounts.csv\n");
  EXPECT_TRUE(
      Has(s, "GATESCOPE_ACCOUNTS_FILE", 5, "bad-accounts.csv:2: \"12345\" is not a 12-digit"))
      << Printed(s);
  s = Check("GATESCOPE_ACCOUNTS_FILE=empty.csv\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_ACCOUNTS_FILE", 5, "lists nothing")) << Printed(s);
  s = Check("GATESCOPE_ACCOUNTS_FILE=none.csv\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_ACCOUNTS_FILE", 5, "does not exist")) << Printed(s);
}

TEST_F(DeploySettingsTest, ChecksTheApisFile) {
  dir_.Write("apis.json", R"([
    {"region":"us-east-1","api_id":"a1b2c3d4e5","stage":"prod"},
    {"region":"eu-west-1","api_id":"a1b2c3d4e5","stage":"prod"},
    {"region":"us-east-1","api_id":"BAD","stage":"prod","account_id":"12"},
    {"api_id":"a1b2c3d4e5","stage":"s","extra":"x"},
    {"region":"us-east-1","api_id":"a1b2c3d4e5","stage":"s","access_log_group":"a b"},
    7
  ])");
  dir_.Write("notjson.json", "[{");
  DeploySettings s = Check(
      "GATESCOPE_REGIONS=us-east-1\nGATESCOPE_DISCOVER=false\nGATESCOPE_APIS_FILE=apis.json\n");
  const int line = kBaseLines + 3;
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", line,
                  "item 1: region eu-west-1 is not in "
                  "GATESCOPE_REGIONS"))
      << Printed(s);
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", line, "item 2: api_id \"BAD\""));
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", line, "item 2: account_id \"12\""));
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", line, "item 3: unknown field \"extra\""));
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", line, "item 3: \"region\" is required"));
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", line, "item 4: access_log_group"));
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", line, "item 5: is not an object"));
  s = Check("GATESCOPE_DISCOVER=false\nGATESCOPE_APIS_FILE=notjson.json\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", 6, "not JSON")) << Printed(s);
}

TEST_F(DeploySettingsTest, ChecksTheLambdaZip) {
  dir_.Write("plain.zip", "not a zip");
  dir_.Write("gatescope-lambda-arm64.zip", std::string("PK\x03\x04", 4));
  EXPECT_TRUE(
      Has(Check("GATESCOPE_LAMBDA_ZIP=plain.zip\n"), "GATESCOPE_LAMBDA_ZIP", 5, "not a zip"));
  EXPECT_TRUE(Has(Check("GATESCOPE_LAMBDA_ZIP=gatescope-lambda-arm64.zip\n"),
                  "GATESCOPE_LAMBDA_ZIP", 5, "another architecture"));
  // The default follows the architecture.
  DeploySettings s = Check("GATESCOPE_LAMBDA_ARCHITECTURE=arm64\n");
  EXPECT_TRUE(s.ok()) << Printed(s);
  EXPECT_EQ(s.Get("GATESCOPE_LAMBDA_ZIP"), dir_.File("gatescope-lambda-arm64.zip"));
  std::filesystem::remove(dir_.File("gatescope-lambda-x86_64.zip"));
  EXPECT_TRUE(Has(Check(""), "GATESCOPE_LAMBDA_ZIP", 0, "does not exist"));
}

TEST_F(DeploySettingsTest, PathsAreRelativeToTheEnvDirectory) {
  std::filesystem::create_directories(dir_.File("conf/pkg"));
  dir_.Write("conf/pkg/fn.zip", std::string("PK\x03\x04", 4));
  dir_.Write("conf/accounts.csv", "111122223333\n");
  std::string text(kBase);
  text += "GATESCOPE_LAMBDA_ZIP=pkg/fn.zip\nGATESCOPE_ACCOUNTS_FILE=./accounts.csv\n";
  DeploySettings s = LoadDeploySettings(dir_.Write("conf/.env", text));
  ASSERT_TRUE(s.ok()) << Printed(s);
  EXPECT_EQ(s.Get("GATESCOPE_LAMBDA_ZIP"), dir_.File("conf/pkg/fn.zip"));
  EXPECT_EQ(s.Get("GATESCOPE_ACCOUNTS_FILE"), dir_.File("conf/accounts.csv"));
  EXPECT_EQ(s.env_dir, dir_.File("conf"));
}

TEST_F(DeploySettingsTest, BucketPrefixLengthCountsTheLongestRegionInScope) {
  const std::string p48(48, 'a');
  const std::string p49(49, 'a');
  // ap-southeast-1 (14 characters): 48 + 1 + 14 = 63.
  EXPECT_TRUE(Check("GATESCOPE_BUCKET_PREFIX=" + p48 + "\n").ok());
  DeploySettings s = Check("GATESCOPE_BUCKET_PREFIX=" + p49 + "\n");
  EXPECT_TRUE(Has(s, "GATESCOPE_BUCKET_PREFIX", 5, "64 characters")) << Printed(s);
  // With explicit regions only those count: us-east-1 (9) allows 53.
  const std::string p53(53, 'a');
  EXPECT_TRUE(Check("GATESCOPE_REGIONS=us-east-1\nGATESCOPE_BUCKET_PREFIX=" + p53 + "\n").ok());
  EXPECT_FALSE(
      Check("GATESCOPE_REGIONS=us-east-1,ap-southeast-2\nGATESCOPE_BUCKET_PREFIX=" + p53 + "\n")
          .ok());
}

TEST_F(DeploySettingsTest, AccountRegionsReportDisabledAndResolveAll) {
  const std::vector<AccountRegion> account = {
      {.name = "us-east-1", .enabled = true, .opt_in_status = "opt-in-not-required"},
      {.name = "eu-west-1", .enabled = true, .opt_in_status = "opt-in-not-required"},
      {.name = "me-south-1", .enabled = false, .opt_in_status = "not-opted-in"},
      {.name = "cn-north-1", .enabled = true},  // moto lists other partitions too.
  };
  DeploySettings s = Check("GATESCOPE_REGIONS=us-east-1,me-south-1,sa-east-1\n");
  ASSERT_TRUE(s.ok()) << Printed(s);
  ApplyAccountRegions(s, account);
  EXPECT_TRUE(Has(s, "GATESCOPE_REGIONS", 5, "me-south-1 is not enabled")) << Printed(s);
  EXPECT_TRUE(Has(s, "GATESCOPE_REGIONS", 5, "not-opted-in"));
  EXPECT_TRUE(Has(s, "GATESCOPE_REGIONS", 5, "sa-east-1 is not available"));
  EXPECT_EQ(s.problems.size(), 2u) << Printed(s);

  s = Check("");
  ApplyAccountRegions(s, account);
  EXPECT_TRUE(s.ok()) << Printed(s);
  EXPECT_EQ(s.regions, (std::vector<std::string>{"us-east-1", "eu-west-1"}));

  s = Check("GATESCOPE_PREFERRED_REGION=me-south-1\nGATESCOPE_REGIONS=us-east-1\n");
  ApplyAccountRegions(s, account);
  EXPECT_TRUE(Has(s, "GATESCOPE_PREFERRED_REGION", 5, "not enabled")) << Printed(s);

  dir_.Write("apis.json", R"([{"region":"sa-east-1","api_id":"a1b2c3d4e5","stage":"prod"}])");
  s = Check("GATESCOPE_DISCOVER=false\nGATESCOPE_APIS_FILE=apis.json\n");
  ASSERT_TRUE(s.ok()) << Printed(s);
  ApplyAccountRegions(s, account);
  EXPECT_TRUE(Has(s, "GATESCOPE_APIS_FILE", 6, "sa-east-1")) << Printed(s);
}

// Runs `script` with bash, returns its stdout.
std::string RunBash(const std::string& dir, const std::string& script) {
  const std::string path = dir + "/run.sh";
  std::ofstream(path) << script;
  FILE* pipe = popen(("bash " + path).c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << script;
  return out;
}

TEST_F(DeploySettingsTest, ShellOutputRoundTripsThroughBashEval) {
  dir_.Write("accounts.csv", "111122223333,444455556666\n");
  DeploySettings s = Check(
      "GATESCOPE_OAUTH_SCOPE=\"it's \\\"quoted\\\" $HOME `date` \\\\ \\n next line\"\n"
      "GATESCOPE_REGIONS=us-east-1, eu-west-1\n"
      "GATESCOPE_ACCOUNTS_FILE=accounts.csv\n"
      "GATESCOPE_STATIC_FILE_REGEX=\\.(css|js)$ # comment\n");
  ASSERT_TRUE(s.ok()) << Printed(s);
  const std::string shell = FormatShell(s);
  const std::string file = dir_.Write("settings.sh", shell);
  std::string script = "set -eu\neval \"$(cat '" + file + "')\"\n";
  std::vector<std::string> names;
  for (const SettingSpec& spec : DeploySettingSpecs()) {
    names.push_back("GS_" + std::string(spec.key.substr(10)));
  }
  for (const char* extra :
       {"GS_ENV_DIR", "GS_ORGANIZATIONAL_UNITS", "GS_ACCOUNT_FILTER", "GS_ACCOUNTS"}) {
    names.push_back(extra);
  }
  for (const std::string& name : names) script += "printf '%s\\0' \"$" + name + "\"\n";
  const std::string out = RunBash(dir_.path(), script);
  std::vector<std::string> values;
  size_t start = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\0') {
      values.push_back(out.substr(start, i - start));
      start = i + 1;
    }
  }
  ASSERT_EQ(values.size(), names.size()) << shell;
  for (size_t i = 0; i < DeploySettingSpecs().size(); ++i) {
    const SettingSpec& spec = DeploySettingSpecs()[i];
    const std::string expected =
        spec.key == "GATESCOPE_REGIONS" ? "us-east-1 eu-west-1" : s.Get(spec.key);
    EXPECT_EQ(values[i], expected) << spec.key;
  }
  EXPECT_EQ(values[DeploySettingSpecs().size()], s.env_dir);  // GS_ENV_DIR.
  EXPECT_EQ(s.Get("GATESCOPE_OAUTH_SCOPE"), "it's \"quoted\" $HOME `date` \\ \n next line");
  EXPECT_EQ(values.back(), "111122223333 444455556666");
  EXPECT_EQ(s.Get("GATESCOPE_STATIC_FILE_REGEX"), "\\.(css|js)$");
  // Every line is NAME='...' (continued lines only inside quotes).
  EXPECT_EQ(shell.rfind("GS_COLLECTOR_URL='https://inventory.corp.internal/v1/batches'\n", 0), 0u);
  EXPECT_NE(shell.find("GS_OAUTH_CLIENT_SECRET='s3cr3t'\n"), std::string::npos);
  EXPECT_EQ(ShellQuote("a'b"), "'a'\\''b'");
}

TEST_F(DeploySettingsTest, JsonAndTextHideTheSecret) {
  dir_.Write("accounts.csv", "111122223333\n");
  DeploySettings s = Check("GATESCOPE_ACCOUNTS_FILE=accounts.csv\nGATESCOPE_REGIONS=us-east-1\n");
  ASSERT_TRUE(s.ok()) << Printed(s);
  nlohmann::json j = nlohmann::json::parse(FormatJson(s));
  EXPECT_EQ(j["GS_OAUTH_CLIENT_SECRET"], "***");
  EXPECT_EQ(j["GS_OAUTH_CLIENT_ID"], "connector");
  EXPECT_EQ(j["GS_REGIONS"], nlohmann::json::array({"us-east-1"}));
  EXPECT_EQ(j["GS_ACCOUNTS"], nlohmann::json::array({"111122223333"}));
  EXPECT_EQ(j["GS_ENV_DIR"], s.env_dir);
  EXPECT_EQ(j.size(), DeploySettingSpecs().size() + 4);
  // Bytes that are not UTF-8 are replaced, not thrown on (found by fuzz/dotenv_fuzz.cc).
  DeploySettings latin1 = Check("GATESCOPE_OAUTH_SCOPE=caf\xe9\n");
  ASSERT_TRUE(latin1.ok()) << Printed(latin1);
  EXPECT_EQ(nlohmann::json::parse(FormatJson(latin1))["GS_OAUTH_SCOPE"], "caf\xEF\xBF\xBD");
  const std::string text = FormatText(s);
  EXPECT_EQ(text.find("s3cr3t"), std::string::npos);
  EXPECT_NE(text.find("GATESCOPE_OAUTH_CLIENT_SECRET=***"), std::string::npos);
  EXPECT_NE(text.find("GATESCOPE_LOG_LEVEL=info  # default"), std::string::npos);
}

TEST_F(DeploySettingsTest, TheShippedExampleFlagsItsPlaceholdersAndPassesOnceFilled) {
  const std::string root = RepoRoot();
  std::string example = testing::ReadFile(root + "/deploy/.env.example");
  ASSERT_FALSE(example.empty());
  DeploySettings s = LoadDeploySettings(dir_.Write(".env", example));
  std::set<std::string> keys;
  for (const Problem& p : s.problems) {
    EXPECT_NE(p.message.find("placeholder"), std::string::npos) << FormatProblem(".env", p);
    EXPECT_GT(p.line, 0);
    keys.insert(p.key);
  }
  EXPECT_EQ(keys,
            (std::set<std::string>{"GATESCOPE_COLLECTOR_URL", "GATESCOPE_OAUTH_TOKEN_URL",
                                   "GATESCOPE_OAUTH_CLIENT_ID", "GATESCOPE_OAUTH_CLIENT_SECRET"}));
  // Every key is in the example, in the spec's order.
  size_t at = 0;
  for (const SettingSpec& spec : DeploySettingSpecs()) {
    size_t found = example.find("\n" + std::string(spec.key) + "=", at);
    EXPECT_NE(found, std::string::npos) << spec.key;
    if (found != std::string::npos) at = found;
  }

  auto replace = [&](std::string_view from, std::string_view to) {
    for (size_t i; (i = example.find(from)) != std::string::npos;)
      example.replace(i, from.size(), to);
  };
  replace("<collector-host>", "inventory.corp.internal");
  replace("<client-id>", "connector");
  replace("<client-secret>", "s3cr3t");
  s = LoadDeploySettings(dir_.Write(".env", example));
  EXPECT_TRUE(s.problems.empty()) << Printed(s);

  // The example files, in the modes they are for.
  std::filesystem::copy(root + "/deploy/examples", dir_.File("examples"));
  replace("GATESCOPE_ORGANIZATION_DEPLOYMENT=false", "GATESCOPE_ORGANIZATION_DEPLOYMENT=true");
  replace("GATESCOPE_ORGANIZATIONAL_UNITS_FILE=\n",
          "GATESCOPE_ORGANIZATIONAL_UNITS_FILE=examples/organizational-units.csv\n");
  replace("GATESCOPE_ACCOUNT_FILTER_FILE=\n",
          "GATESCOPE_ACCOUNT_FILTER_FILE=examples/account-filter.csv\n");
  replace("GATESCOPE_ACCOUNT_FILTER_TYPE=\n", "GATESCOPE_ACCOUNT_FILTER_TYPE=INTERSECTION\n");
  replace("GATESCOPE_DISCOVER=true", "GATESCOPE_DISCOVER=false");
  replace("GATESCOPE_APIS_FILE=\n", "GATESCOPE_APIS_FILE=examples/apis.json\n");
  s = LoadDeploySettings(dir_.Write(".env", example));
  EXPECT_TRUE(s.problems.empty()) << Printed(s);
  EXPECT_EQ(s.organizational_units.size(), 3u);
  EXPECT_EQ(s.account_filter.size(), 2u);
  EXPECT_EQ(s.api_regions.size(), 3u);
  DeploySettings accounts = Check("GATESCOPE_ACCOUNTS_FILE=examples/accounts.csv\n");
  EXPECT_TRUE(accounts.problems.empty()) << Printed(accounts);
  EXPECT_EQ(accounts.accounts.size(), 3u);
}

TEST(ScheduleExpressionTest, AcceptsRatesAndEventBridgeCrons) {
  for (std::string_view ok :
       {"rate(1 minute)", "rate(2 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)",
        "rate(30 days)", "cron(0 12 * * ? *)", "cron(0/15 * ? * MON-FRI *)",
        "cron(0 18 ? * L 2026)", "cron(15 10 L * ? *)", "cron(0 8 1W * ? *)",
        "cron(0 8 ? JAN,JUL 2#1 2026-2030)", "cron(5,35 14 ? * 6L *)"}) {
    EXPECT_EQ(CheckScheduleExpression(ok), "") << ok;
  }
}

TEST(ScheduleExpressionTest, RefusesWhatEventBridgeRefuses) {
  for (std::string_view bad : {"",
                               "rate(1 minutes)",
                               "rate(5 minute)",
                               "rate(0 minutes)",
                               "rate(05 minutes)",
                               "rate(-1 minutes)",
                               "rate(1 second)",
                               "rate(1  minute)",
                               "rate(minute)",
                               "rate(1 minute",
                               "cron(0 12 * * *)",
                               "cron(0 12 * * * *)",
                               "cron(0 12 ? * ? *)",
                               "cron(60 12 * * ? *)",
                               "cron(0 24 * * ? *)",
                               "cron(0 12 32 * ? *)",
                               "cron(0 12 * 13 ? *)",
                               "cron(0 12 ? * 8 *)",
                               "cron(0 12 * * ? 1969)",
                               "cron(0 ? * * ? *)",
                               "cron(0 12 * * ? * *)",
                               "cron(a b c d e f)",
                               "cron(0 12 ? * 2#6 *)",
                               "cron(0/0 * * * ? *)",
                               "at(2026-01-01T00:00:00)",
                               "every 5 minutes"}) {
    EXPECT_NE(CheckScheduleExpression(bad), "") << bad;
  }
}

TEST(AwsRegionsTest, KnowsEveryPartitionOnceEach) {
  std::set<std::string_view> names;
  for (const KnownRegion& r : KnownRegions()) {
    EXPECT_TRUE(names.insert(r.name).second) << r.name;
    EXPECT_TRUE(r.partition == "aws" || r.partition == "aws-us-gov" || r.partition == "aws-cn" ||
                r.partition == "aws-eusc")
        << r.name;
  }
  for (std::string_view name : {"us-east-1", "eu-west-1", "ap-southeast-7", "mx-central-1",
                                "us-gov-west-1", "cn-northwest-1", "ap-east-2"}) {
    EXPECT_NE(FindKnownRegion(name), nullptr) << name;
  }
  EXPECT_EQ(FindKnownRegion("us-east-1")->partition, "aws");
  EXPECT_EQ(FindKnownRegion("us-gov-east-1")->partition, "aws-us-gov");
  EXPECT_EQ(FindKnownRegion("eu-west-9"), nullptr);
}

TEST(CsvListTest, ReadsCellsWithRows) {
  std::vector<CsvCell> cells = ParseCsvCells("a, b ,\n\n# c\n\"d\",,e\r\n");
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[1].value, "b");
  EXPECT_EQ(cells[2].value, "d");
  EXPECT_EQ(cells[2].row, 4);
  EXPECT_EQ(cells[3].value, "e");
}

}  // namespace
}  // namespace gatescope::deploy
