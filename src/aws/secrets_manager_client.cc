#include "aws/secrets_manager_client.h"

#include <nlohmann/json.hpp>

namespace gatescope::aws {

Result<SecretValue> ParseGetSecretValueResponse(std::string_view body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return ParseError("secretsmanager:GetSecretValue: the response is not a JSON object");
  }
  SecretValue out;
  auto str = [&](const char* key, std::string& into) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) into = it->get<std::string>();
  };
  str("ARN", out.arn);
  str("VersionId", out.version_id);
  auto secret = j.find("SecretString");
  if (secret == j.end() || !secret->is_string()) {
    return InvalidArgumentError("secretsmanager:GetSecretValue: the secret " +
                                (out.arn.empty() ? std::string("") : out.arn + " ") +
                                "has no SecretString (binary secrets are not supported)");
  }
  out.secret_string = secret->get<std::string>();
  return out;
}

Result<SecretValue> SecretsManagerClient::GetSecretValue(std::string_view secret_id) {
  nlohmann::json request = {{"SecretId", std::string(secret_id)}};
  GS_ASSIGN_OR_RETURN(std::string body,
                      client_.CallJson(kSecretsManagerTargetPrefix, "GetSecretValue",
                                       request.dump()));
  return ParseGetSecretValueResponse(body);
}

std::string SecretArnRegion(std::string_view arn) {
  // arn:partition:secretsmanager:region:account:secret:name
  std::string_view fields[4];
  for (std::string_view& f : fields) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return {};
    f = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  if (fields[0] != "arn" || fields[2] != "secretsmanager") return {};
  return std::string(fields[3]);
}

}  // namespace gatescope::aws
