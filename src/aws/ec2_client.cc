#include "aws/ec2_client.h"

#include <optional>
#include <utility>

#include "aws/internal/xml_scan.h"

namespace gatescope::aws {

bool Ec2Region::enabled() const {
  return opt_in_status.empty() || opt_in_status == "opt-in-not-required" ||
         opt_in_status == "opted-in";
}

Result<std::vector<Ec2Region>> ParseDescribeRegionsResponse(std::string_view xml) {
  std::vector<std::string_view> responses = xml::Elements(xml, "DescribeRegionsResponse");
  if (responses.empty()) {
    return ParseError("ec2:DescribeRegions: response is not a DescribeRegionsResponse");
  }
  std::vector<Ec2Region> regions;
  // regionInfo is absent or empty when a RegionName filter matched nothing.
  for (std::string_view info : xml::Elements(responses.front(), "regionInfo")) {
    for (std::string_view item : xml::Elements(info, "item")) {
      Ec2Region region{.name = xml::FirstText(item, "regionName").value_or(""),
                       .endpoint = xml::FirstText(item, "regionEndpoint").value_or(""),
                       .opt_in_status = xml::FirstText(item, "optInStatus").value_or("")};
      if (region.name.empty()) continue;
      regions.push_back(std::move(region));
    }
  }
  return regions;
}

Result<std::vector<Ec2Region>> Ec2Client::DescribeRegions(bool all_regions) {
  std::vector<std::pair<std::string, std::string>> params;
  if (all_regions) params.emplace_back("AllRegions", "true");
  GS_ASSIGN_OR_RETURN(std::string body,
                      client_.CallQuery("DescribeRegions", kApiVersion, std::move(params)));
  GS_ASSIGN_OR_RETURN(std::vector<Ec2Region> regions, ParseDescribeRegionsResponse(body));
  if (!all_regions) {
    // EC2 already leaves disabled regions out without AllRegions; filtering again costs
    // nothing and keeps the contract when an endpoint (moto, for one) lists them anyway.
    std::erase_if(regions, [](const Ec2Region& region) { return !region.enabled(); });
  }
  return regions;
}

}  // namespace gatescope::aws
