#pragma once

#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "deploy/dotenv.h"

namespace gatescope::deploy {

// How a setting's value is checked (deploy_settings.cc holds the rules of each kind).
enum class SettingKind {
  kText,      // Anything (placeholders refused).
  kUrl,       // https:// URL (http:// only to loopback).
  kBool,      // true | false.
  kEnum,      // One of SettingSpec::allowed ('|'-separated).
  kInt,       // Whole number in [min, max]; empty allowed when the default is empty.
  kRegion,    // A known region name.
  kRegions,   // `all` or a comma-separated list of known region names.
  kFile,      // A path, relative to the `.env`'s directory.
  kRoleArn,   // An IAM role ARN.
  kRoleName,  // An IAM role name.
  kSchedule,  // rate(...) or cron(...) (schedule_expression.h).
  kRegex,     // RE2 that compiles.
  kLogGroup,  // A CloudWatch Logs group name.
  kOrgId,     // o-[a-z0-9]{10,32}.
  kBucketPrefix,
  kStackSetName,
};

// Which deployment mode a setting belongs to.
enum class SettingMode { kAny, kOrganization, kSelfManaged };

// One `.env` setting: the table of docs/specs/deployment.md ("The .env") as data.
struct SettingSpec {
  std::string_view key;            // "GATESCOPE_REGIONS".
  std::string_view default_value;  // Empty: no default (empty, or required).
  std::string_view group;          // "collector", "where", "which APIs", ...
  SettingKind kind;
  std::string_view help;          // What it does, for messages and `--format text`.
  std::string_view allowed = {};  // kEnum: "a|b|c".
  long min = 0;                   // kInt bounds.
  long max = 0;
  SettingMode mode = SettingMode::kAny;
  bool secret = false;  // Printed as *** except in shell form.
};

// Every setting, in the order of the spec's table (which is also the output order).
std::span<const SettingSpec> DeploySettingSpecs();

// A region as the account reports it (EC2 DescribeRegions with opt-in status).
struct AccountRegion {
  std::string name;
  bool enabled = false;
  std::string opt_in_status;  // "opt-in-not-required", "opted-in", "not-opted-in" or empty.
};

// A checked `.env`: every setting with defaults applied and file paths made absolute, the
// lists read from the files it names, and every problem found.
//
// Thread-safety: a value type.
struct DeploySettings {
  std::string env_file;  // As given.
  std::string env_dir;   // Absolute directory of the `.env`; relative paths start here.
  // Every key of DeploySettingSpecs() -> effective value. The default GATESCOPE_BUCKET_PREFIX
  // needs the account id, so it stays empty here (the scripts fill it in).
  std::map<std::string, std::string, std::less<>> values;
  std::map<std::string, int, std::less<>> lines;  // Keys in the file -> their line.
  std::set<std::string, std::less<>> set_keys;    // Keys given a non-empty value in the file.
  std::vector<std::string> regions;               // {"all"} until ApplyAccountRegions resolves it.
  std::vector<std::string> organizational_units;  // From GATESCOPE_ORGANIZATIONAL_UNITS_FILE.
  std::vector<std::string> account_filter;        // From GATESCOPE_ACCOUNT_FILTER_FILE.
  std::vector<std::string> accounts;              // From GATESCOPE_ACCOUNTS_FILE.
  std::vector<std::string> api_regions;           // The "region" of each APIs file item.
  std::vector<Problem> problems;                  // Errors and warnings, in check order.

  // The effective value of `key` (empty for an unknown key).
  const std::string& Get(std::string_view key) const;
  // The line `key` is set on, or 0.
  int LineOf(std::string_view key) const;
  // True when no problem is an error (warnings allowed).
  bool ok() const;
};

// Checks a parsed `.env` offline: unknown and missing keys, every value against its kind,
// the conflicts between keys, the placeholders left in from deploy/.env.example, and the files
// it names (read relative to the directory of `env_path`). An empty value means the default.
// Every problem found is listed. Touches nothing but the named files.
DeploySettings CheckDeploySettings(const DotenvFile& file, std::string_view env_path);

// Reads `env_path` and checks it; a file that cannot be read is one problem.
DeploySettings LoadDeploySettings(std::string_view env_path);

// The online step (`--aws`): reports each listed region (and the preferred region) that the
// account does not have enabled, resolves `all` to the enabled regions of the preferred
// region's partition, and checks the APIs file's regions against the result.
// REQUIRES: settings.ok() (a bad `.env` never reaches AWS).
void ApplyAccountRegions(DeploySettings& settings, const std::vector<AccountRegion>& account);

// The `--format` outputs. Shell: one `GS_<KEY without GATESCOPE_>='value'` line per setting
// (GS_REGIONS as the space-separated list), then GS_ENV_DIR, GS_ORGANIZATIONAL_UNITS,
// GS_ACCOUNT_FILTER and GS_ACCOUNTS (space-separated), single-quoted for bash `eval` (a ' is
// written '\''), secrets included.
// JSON: the same names in one object (lists as arrays), secrets as "***". Text: one
// `KEY=value` line per setting, marking defaults, secrets as ***.
std::string FormatShell(const DeploySettings& settings);
std::string FormatJson(const DeploySettings& settings);
std::string FormatText(const DeploySettings& settings);

// `'value'` with each ' written as '\'': safe for bash `eval`, whatever the bytes.
std::string ShellQuote(std::string_view value);

}  // namespace gatescope::deploy
