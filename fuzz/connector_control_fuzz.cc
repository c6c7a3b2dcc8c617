// Fuzzes what the refresh and the secret read take from outside: the Lambda event classifier
// (ClassifyEvent: {"gatescope":"refresh"}), Secrets Manager and STS responses, the secret
// string's forms, an API list read from S3 with its account filter, and the ARN helpers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/secrets_manager_client.h"
#include "aws/sts_client.h"
#include "connector/connector_config.h"
#include "connector/lambda_handler.h"
#include "connector/secret_token_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)gatescope::connector::ClassifyEvent(input);
  (void)gatescope::aws::ParseGetSecretValueResponse(input);
  (void)gatescope::aws::ParseGetCallerIdentityResponse(input);
  (void)gatescope::aws::SecretArnRegion(input);
  (void)gatescope::connector::ClientSecretFromSecretString(input);
  (void)gatescope::connector::AccountOfArn(input);
  (void)gatescope::connector::UnqualifiedFunctionArn(input);
  (void)gatescope::connector::IsValidLogGroupName(input);
  gatescope::Result<std::vector<gatescope::connector::ApiStageRef>> apis =
      gatescope::connector::ParseApiListJson("GATESCOPE_APIS s3://b/k", input);
  if (apis.ok()) {
    std::vector<std::string> warnings;
    (void)gatescope::connector::FilterApisForAccount(*apis, "123456789012", &warnings);
    (void)gatescope::connector::FilterApisForAccount(*apis, "", &warnings);
  }
  return 0;
}
