#include "parsers/apigw_access/context_var.h"

#include <algorithm>
#include <array>
#include <utility>

namespace gatescope::parsers::apigw_access {
namespace {

using Entry = std::pair<std::string_view, ContextVar>;

// Normalized `$context` variable names (AGDG-2023 api-gateway-mapping-template-reference.md,
// http-api-logging-variables.md, websocket-api-logging.md).
constexpr std::array kContextNames = {
    Entry{"requestid", ContextVar::kRequestId},
    Entry{"extendedrequestid", ContextVar::kExtendedRequestId},
    Entry{"apiid", ContextVar::kApiId},
    Entry{"stage", ContextVar::kStage},
    Entry{"accountid", ContextVar::kAccountId},
    Entry{"domainname", ContextVar::kDomainName},
    Entry{"httpmethod", ContextVar::kHttpMethod},
    Entry{"path", ContextVar::kPath},
    Entry{"resourcepath", ContextVar::kResourcePath},
    Entry{"routekey", ContextVar::kRouteKey},
    Entry{"protocol", ContextVar::kProtocol},
    Entry{"status", ContextVar::kStatus},
    Entry{"integrationstatus", ContextVar::kIntegrationStatus},  // Also integration.status.
    Entry{"responselength", ContextVar::kResponseLength},
    Entry{"requesttime", ContextVar::kRequestTime},
    Entry{"requesttimeepoch", ContextVar::kRequestTimeEpoch},
    Entry{"responselatency", ContextVar::kResponseLatency},
    Entry{"integrationlatency", ContextVar::kIntegrationLatency},  // Also integration.latency.
    Entry{"errormessage", ContextVar::kErrorMessage},
    Entry{"errormessagestring", ContextVar::kErrorMessage},
    Entry{"identitysourceip", ContextVar::kSourceIp},
    Entry{"identityuseragent", ContextVar::kUserAgent},
    Entry{"identitycaller", ContextVar::kCaller},
    Entry{"identityuser", ContextVar::kUser},
    Entry{"eventtype", ContextVar::kEventType},
    Entry{"connectionid", ContextVar::kConnectionId},
};

// Further JSON key names seen in the wild: the AWS console formats ("ip", "caller", "user"),
// the HTTP API field list of ../shared/seeds/000 ("http-method", "status-code", "host",
// "http-version", "uri-query-fragment"), and common snake/kebab/short variants.
constexpr std::array kJsonAliases = {
    Entry{"ip", ContextVar::kSourceIp},
    Entry{"sourceip", ContextVar::kSourceIp},
    Entry{"clientip", ContextVar::kSourceIp},
    Entry{"remoteip", ContextVar::kSourceIp},
    Entry{"remoteaddr", ContextVar::kSourceIp},
    Entry{"caller", ContextVar::kCaller},
    Entry{"user", ContextVar::kUser},
    Entry{"useragent", ContextVar::kUserAgent},
    Entry{"method", ContextVar::kHttpMethod},
    Entry{"verb", ContextVar::kHttpMethod},
    Entry{"requestmethod", ContextVar::kHttpMethod},
    Entry{"requestpath", ContextVar::kPath},
    Entry{"urlpath", ContextVar::kPath},
    Entry{"uri", ContextVar::kUri},
    Entry{"url", ContextVar::kUri},
    Entry{"requesturi", ContextVar::kUri},
    Entry{"uriqueryfragment", ContextVar::kUri},
    Entry{"resource", ContextVar::kResourcePath},
    Entry{"route", ContextVar::kRouteKey},
    Entry{"httpversion", ContextVar::kProtocol},
    Entry{"httpprotocol", ContextVar::kProtocol},
    Entry{"statuscode", ContextVar::kStatus},
    Entry{"httpstatus", ContextVar::kStatus},
    Entry{"httpstatuscode", ContextVar::kStatus},
    Entry{"responsestatus", ContextVar::kStatus},
    Entry{"responsesize", ContextVar::kResponseLength},
    Entry{"bytessent", ContextVar::kResponseLength},
    Entry{"latency", ContextVar::kResponseLatency},
    Entry{"responsetime", ContextVar::kResponseLatency},
    Entry{"time", ContextVar::kRequestTime},
    Entry{"timestamp", ContextVar::kRequestTime},
    Entry{"requesttimestamp", ContextVar::kRequestTime},
    Entry{"epoch", ContextVar::kRequestTimeEpoch},
    Entry{"error", ContextVar::kErrorMessage},
    Entry{"host", ContextVar::kDomainName},
    Entry{"domain", ContextVar::kDomainName},
    Entry{"hostname", ContextVar::kDomainName},
    Entry{"stagename", ContextVar::kStage},
    Entry{"restapiid", ContextVar::kApiId},
    Entry{"awsaccountid", ContextVar::kAccountId},
};

template <size_t N>
ContextVar Find(const std::array<Entry, N>& table, std::string_view key) {
  auto it = std::find_if(table.begin(), table.end(), [&](const Entry& e) { return e.first == key; });
  return it == table.end() ? ContextVar::kIgnored : it->second;
}

}  // namespace

std::string NormalizeFieldName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c + ('a' - 'A'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
    }
  }
  if (out.size() > 7 && out.compare(0, 7, "context") == 0) out.erase(0, 7);
  return out;
}

ContextVar ContextVarFromName(std::string_view name) {
  return Find(kContextNames, NormalizeFieldName(name));
}

ContextVar ContextVarFromJsonKey(std::string_view key) {
  std::string normalized = NormalizeFieldName(key);
  ContextVar var = Find(kContextNames, normalized);
  return var != ContextVar::kIgnored ? var : Find(kJsonAliases, normalized);
}

}  // namespace gatescope::parsers::apigw_access
