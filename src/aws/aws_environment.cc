#include "aws/aws_environment.h"

#include <fstream>
#include <sstream>

#include "core/ascii.h"
#include "env/process_environment.h"

namespace gatescope::aws {

AwsEnvironment AwsEnvironment::FromProcess() { return FromMap(env::ProcessEnvironment()); }

AwsEnvironment AwsEnvironment::FromMap(std::map<std::string, std::string> vars) {
  AwsEnvironment env;
  for (auto& [k, v] : vars) env.vars_.emplace(k, std::move(v));
  return env;
}

std::string AwsEnvironment::Get(std::string_view name) const {
  auto it = vars_.find(name);
  return it == vars_.end() ? std::string() : it->second;
}

std::string AwsEnvironment::ProfileName() const {
  std::string name = Get("AWS_PROFILE");
  return name.empty() ? "default" : name;
}

std::string AwsEnvironment::ConfigFilePath() const {
  std::string path = Get("AWS_CONFIG_FILE");
  return path.empty() ? Get("HOME") + "/.aws/config" : path;
}

std::string AwsEnvironment::CredentialsFilePath() const {
  std::string path = Get("AWS_SHARED_CREDENTIALS_FILE");
  return path.empty() ? Get("HOME") + "/.aws/credentials" : path;
}

std::map<std::string, Profile, std::less<>> ParseIni(std::string_view text) {
  std::map<std::string, Profile, std::less<>> sections;
  Profile* section = nullptr;
  std::string parent_key;  // The key of a nested block ("s3 =" followed by indented lines).
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    std::string_view line = TrimAsciiSpace(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const size_t close = line.find(']');
      if (close == std::string_view::npos) {
        section = nullptr;  // Malformed header: ignore its keys rather than misfile them.
        continue;
      }
      section = &sections[std::string(TrimAsciiSpace(line.substr(1, close - 1)))];
      parent_key.clear();
      continue;
    }
    if (section == nullptr) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(TrimAsciiSpace(line.substr(0, eq)));
    LowerAsciiInPlace(key);
    std::string_view value = TrimAsciiSpace(line.substr(eq + 1));
    // Inline comments need whitespace before the marker, as in the AWS CLI.
    for (size_t i = 1; i < value.size(); ++i) {
      if ((value[i] == '#' || value[i] == ';') && IsAsciiSpace(value[i - 1])) {
        value = TrimAsciiSpace(value.substr(0, i));
        break;
      }
    }
    if (indented && !parent_key.empty()) {
      (*section)[parent_key + "." + key] = std::string(value);
      continue;
    }
    parent_key = value.empty() ? key : std::string();
    if (!value.empty()) (*section)[key] = std::string(value);
  }
  return sections;
}

namespace {

// The file's text, or empty when it cannot be read (a missing file is normal).
std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<Profile> LoadProfile(const AwsEnvironment& env, std::string_view profile_name) {
  bool found = false;
  Profile profile;
  const auto config = ParseIni(ReadFileOrEmpty(env.ConfigFilePath()));
  const std::string config_section =
      profile_name == "default" ? "default" : "profile " + std::string(profile_name);
  if (auto it = config.find(config_section); it != config.end()) {
    profile = it->second;
    found = true;
  } else if (profile_name == "default") {
    if (auto legacy = config.find("profile default"); legacy != config.end()) {
      profile = legacy->second;
      found = true;
    }
  }
  const auto credentials = ParseIni(ReadFileOrEmpty(env.CredentialsFilePath()));
  if (auto it = credentials.find(profile_name); it != credentials.end()) {
    for (const auto& [k, v] : it->second) profile[k] = v;
    found = true;
  }
  if (!found) {
    return NotFoundError("AWS profile '" + std::string(profile_name) + "' is in neither " +
                         env.ConfigFilePath() + " nor " + env.CredentialsFilePath() + ".");
  }
  return profile;
}

Result<std::string> ResolveRegion(const AwsEnvironment& env) {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    std::string value = env.Get(name);
    if (!value.empty()) return value;
  }
  Result<Profile> profile = LoadProfile(env, env.ProfileName());
  if (profile.ok()) {
    if (auto it = profile->find("region"); it != profile->end() && !it->second.empty()) {
      return it->second;
    }
  }
  return NotFoundError("No AWS region: set AWS_REGION, AWS_DEFAULT_REGION or `region` in profile '" +
                       env.ProfileName() + "'.");
}

}  // namespace gatescope::aws
