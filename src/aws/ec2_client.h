#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "core/result.h"

namespace gatescope::aws {

// One region as EC2 DescribeRegions reports it.
struct Ec2Region {
  std::string name;      // "eu-west-1".
  std::string endpoint;  // "ec2.eu-west-1.amazonaws.com".
  // "opt-in-not-required", "opted-in" or "not-opted-in"; empty when the response omits it.
  std::string opt_in_status;

  // True when the account can use the region: opt-in-not-required, opted-in, or no status
  // (older responses and some partitions leave it out).
  bool enabled() const;
};

// Reads a DescribeRegionsResponse (query protocol, XML): every regionInfo/item in document
// order, nothing filtered. kParseError when the document is not a DescribeRegionsResponse.
Result<std::vector<Ec2Region>> ParseDescribeRegionsResponse(std::string_view xml);

// The EC2 call discovery needs: which regions to look for APIs in.
//
// Thread-safety: as the borrowed AwsServiceClient (thread-safe). `client` must be built with kEc2
// and outlive this object.
class Ec2Client {
 public:
  // The query-protocol API version this client speaks.
  static constexpr std::string_view kApiVersion = "2016-11-15";

  explicit Ec2Client(AwsServiceClient& client) : client_(client) {}

  // The regions of the account's partition. By default only the enabled ones (Ec2Region::
  // enabled()); with `all_regions`, the not-opted-in regions too (AllRegions=true).
  // Errors name "ec2:DescribeRegions": kPermissionDenied without ec2:DescribeRegions,
  // kResourceExhausted / kUnavailable when retries run out, kParseError for an unreadable reply.
  Result<std::vector<Ec2Region>> DescribeRegions(bool all_regions = false);

 private:
  AwsServiceClient& client_;
};

}  // namespace gatescope::aws
