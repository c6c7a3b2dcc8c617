#include "parsers/apigw_access/builtin_formats.h"

#include "core/check.h"

namespace gatescope::parsers::apigw_access {

const std::vector<BuiltinFormat>& BuiltinFormats() {
  static const std::vector<BuiltinFormat> kFormats = {
      {"rest_clf",
       "$context.identity.sourceIp $context.identity.caller $context.identity.user "
       "[$context.requestTime]\"$context.httpMethod $context.resourcePath $context.protocol\" "
       "$context.status $context.responseLength $context.requestId $context.extendedRequestId"},
      {"rest_clf_legacy",
       "$context.identity.sourceIp $context.identity.caller $context.identity.user "
       "[$context.requestTime]\"$context.httpMethod $context.resourcePath $context.protocol\" "
       "$context.status $context.responseLength $context.requestId"},
      {"http_clf",
       "$context.identity.sourceIp - - [$context.requestTime] \"$context.httpMethod "
       "$context.routeKey $context.protocol\" $context.status $context.responseLength "
       "$context.requestId"},
      {"websocket_clf",
       "$context.identity.sourceIp $context.identity.caller $context.identity.user "
       "[$context.requestTime] \"$context.eventType $context.routeKey $context.connectionId\" "
       "$context.status $context.requestId"},
      {"rest_csv",
       "$context.identity.sourceIp,$context.identity.caller,$context.identity.user,"
       "$context.requestTime,$context.httpMethod,$context.resourcePath,$context.protocol,"
       "$context.status,$context.responseLength,$context.requestId,$context.extendedRequestId"},
      {"http_csv",
       "$context.identity.sourceIp,$context.requestTime,$context.httpMethod,$context.routeKey,"
       "$context.protocol,$context.status,$context.responseLength,$context.requestId"},
      {"websocket_csv",
       "$context.identity.sourceIp,$context.identity.caller,$context.identity.user,"
       "$context.requestTime,$context.eventType,$context.routeKey,$context.connectionId,"
       "$context.status,$context.requestId"},
      {"rest_xml",
       "<request id=\"$context.requestId\"> <extendedRequestId>$context.extendedRequestId"
       "</extendedRequestId> <ip>$context.identity.sourceIp</ip> <caller>$context.identity.caller"
       "</caller> <user>$context.identity.user</user> <requestTime>$context.requestTime"
       "</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>"
       "$context.resourcePath</resourcePath> <status>$context.status</status> <protocol>"
       "$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> "
       "</request>"},
      {"http_xml",
       "<request id=\"$context.requestId\"> <ip>$context.identity.sourceIp</ip> <requestTime>"
       "$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> "
       "<routeKey>$context.routeKey</routeKey> <status>$context.status</status> <protocol>"
       "$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> "
       "</request>"},
      {"websocket_xml",
       "<request id=\"$context.requestId\"> <ip>$context.identity.sourceIp</ip> <caller>"
       "$context.identity.caller</caller> <user>$context.identity.user</user> <requestTime>"
       "$context.requestTime</requestTime> <eventType>$context.eventType</eventType> <routeKey>"
       "$context.routeKey</routeKey> <status>$context.status</status> <connectionId>"
       "$context.connectionId</connectionId> </request>"},
  };
  return kFormats;
}

const std::vector<TextTemplate>& BuiltinTextTemplates() {
  static const std::vector<TextTemplate> kTemplates = [] {
    std::vector<TextTemplate> out;
    for (const BuiltinFormat& f : BuiltinFormats()) {
      Result<TextTemplate> t = TextTemplate::Compile(f.format);
      GS_CHECK(t.ok());  // Compiled from constants above; a failure is a bug here.
      out.push_back(std::move(*t));
    }
    return out;
  }();
  return kTemplates;
}

}  // namespace gatescope::parsers::apigw_access
