#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "aws/aws_environment.h"
#include "core/clock.h"
#include "core/result.h"
#include "env/http_client.h"

namespace gatescope::aws {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // Empty for long-term keys.
  // When temporary credentials stop working; nullopt for long-term keys.
  std::optional<std::chrono::system_clock::time_point> expiration;
  // Where they came from, for logs and errors ("environment", "profile dev", "container",
  // "imds", "assume_role arn:aws:iam::1:role/x"). Never a secret.
  std::string source;
};

// Supplies credentials, refreshing temporary ones before they expire.
//
// Thread-safety: Get() and Invalidate() may be called from any thread.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;

  // Current credentials. Temporary credentials are refreshed when they expire within the
  // refresh margin (5 minutes), so a signed request never carries credentials about to lapse.
  // Failure says which source was tried and why, never a secret.
  virtual Result<AwsCredentials> Get() = 0;

  // The service rejected the credentials as expired: drop any cached copy so that the next
  // Get() fetches fresh ones.
  virtual void Invalidate() = 0;
};

// Fixed credentials (tests, and keys handed over by configuration).
std::unique_ptr<CredentialsProvider> NewStaticCredentialsProvider(AwsCredentials credentials);

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
std::unique_ptr<CredentialsProvider> NewEnvironmentCredentialsProvider(const AwsEnvironment& env);

// aws_access_key_id / aws_secret_access_key / aws_session_token of a profile in the shared
// files (LoadProfile). Profiles that assume a role (role_arn with source_profile or
// credential_source) are built by NewDefaultCredentialsChain, not here.
std::unique_ptr<CredentialsProvider> NewProfileCredentialsProvider(const AwsEnvironment& env,
                                                                   std::string profile_name);

// The container credentials endpoint, as on ECS and Lambda: AWS_CONTAINER_CREDENTIALS_FULL_URI
// (loopback, ECS/EKS link-local addresses, or https only) or
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (appended to http://169.254.170.2), with the
// Authorization header from AWS_CONTAINER_AUTHORIZATION_TOKEN or the file named by
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.
std::unique_ptr<CredentialsProvider> NewContainerCredentialsProvider(const AwsEnvironment& env,
                                                                     env::HttpClient& http,
                                                                     Clock& clock);

// EC2 instance metadata, IMDSv2 only (PUT /latest/api/token, then the role's credentials).
// AWS_EC2_METADATA_SERVICE_ENDPOINT overrides http://169.254.169.254; AWS_EC2_METADATA_DISABLED
// = true turns it off.
std::unique_ptr<CredentialsProvider> NewImdsCredentialsProvider(const AwsEnvironment& env,
                                                                env::HttpClient& http,
                                                                Clock& clock);

struct AssumeRoleOptions {
  std::string role_arn;
  std::string external_id;   // Empty: none sent.
  std::string session_name;  // Empty: "gatescope-<unix seconds>".
  std::chrono::seconds duration{3600};
  std::string region;        // Region of the STS endpoint; empty: us-east-1.
};

// STS AssumeRole with credentials from `source`, for cross-account reads. The STS endpoint
// follows AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL (aws_client.h).
std::unique_ptr<CredentialsProvider> NewAssumeRoleCredentialsProvider(
    std::unique_ptr<CredentialsProvider> source, AssumeRoleOptions options,
    const AwsEnvironment& env, env::HttpClient& http, Clock& clock);

// EKS IAM Roles for Service Accounts: STS AssumeRoleWithWebIdentity with the token in
// AWS_WEB_IDENTITY_TOKEN_FILE (re-read on each refresh), AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME.
// kNotFound when AWS_WEB_IDENTITY_TOKEN_FILE is unset.
std::unique_ptr<CredentialsProvider> NewWebIdentityCredentialsProvider(const AwsEnvironment& env,
                                                                      env::HttpClient& http,
                                                                      Clock& clock);

// The SDKs' default chain, first that yields credentials wins: environment; web identity; the
// profile (AWS_PROFILE), including role_arn with source_profile or credential_source;
// container; IMDSv2. Errors from every link are reported together when none works.
std::unique_ptr<CredentialsProvider> NewDefaultCredentialsChain(const AwsEnvironment& env,
                                                                env::HttpClient& http,
                                                                Clock& clock);

}  // namespace gatescope::aws
