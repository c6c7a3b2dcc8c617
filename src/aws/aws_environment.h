#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gatescope::aws {

// What the AWS SDKs read from the process environment, captured once so that tests inject their
// own variables and files instead of mutating the process's.
//
// Thread-safety: immutable after construction.
class AwsEnvironment {
 public:
  // A snapshot of the process environment.
  static AwsEnvironment FromProcess();
  // Exactly these variables (tests).
  static AwsEnvironment FromMap(std::map<std::string, std::string> vars);

  // The variable's value, or empty when unset.
  std::string Get(std::string_view name) const;

  // AWS_PROFILE, else "default".
  std::string ProfileName() const;
  // AWS_CONFIG_FILE, else $HOME/.aws/config.
  std::string ConfigFilePath() const;
  // AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials.
  std::string CredentialsFilePath() const;

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

// One profile's settings, keys lower-cased: the `[profile NAME]` section of the config file
// (`[default]` for "default") overlaid by the `[NAME]` section of the credentials file, as the
// SDKs do. Missing files are fine; a profile found in neither file is kNotFound.
using Profile = std::map<std::string, std::string, std::less<>>;
Result<Profile> LoadProfile(const AwsEnvironment& env, std::string_view profile_name);

// Parses INI text the way the AWS CLI does: `[section]` headers, `key = value` lines, `#` and
// `;` comments, and indented continuation lines (nested sub-sections such as `s3 =` are kept
// flattened as "s3.key"). Returns section name -> keys. Malformed lines are skipped.
std::map<std::string, Profile, std::less<>> ParseIni(std::string_view text);

// AWS_REGION, else AWS_DEFAULT_REGION, else the profile's `region`; kNotFound naming all three
// when none is set.
Result<std::string> ResolveRegion(const AwsEnvironment& env);

}  // namespace gatescope::aws
