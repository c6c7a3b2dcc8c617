#include "aws/sts_client.h"

#include "aws/internal/xml_scan.h"

namespace gatescope::aws {

Result<CallerIdentity> ParseGetCallerIdentityResponse(std::string_view xml) {
  std::vector<std::string_view> results = xml::Elements(xml, "GetCallerIdentityResult");
  if (results.empty()) {
    return ParseError("sts:GetCallerIdentity: response is not a GetCallerIdentityResponse");
  }
  CallerIdentity out{.account = xml::FirstText(results.front(), "Account").value_or(""),
                     .arn = xml::FirstText(results.front(), "Arn").value_or(""),
                     .user_id = xml::FirstText(results.front(), "UserId").value_or("")};
  if (out.account.empty()) return ParseError("sts:GetCallerIdentity: response has no Account");
  return out;
}

Result<CallerIdentity> StsClient::GetCallerIdentity() {
  GS_ASSIGN_OR_RETURN(std::string body, client_.CallQuery("GetCallerIdentity", kApiVersion));
  return ParseGetCallerIdentityResponse(body);
}

}  // namespace gatescope::aws
