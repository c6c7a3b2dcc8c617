#include "deploy/aws_regions.h"

namespace gatescope::deploy {
namespace {

// Sources: the AWS General Reference "Regions and Zones" table and the launch announcements
// (ap-southeast-7 and mx-central-1 in January 2025, ap-east-2 in June 2025, ap-southeast-6 in
// September 2025); the European Sovereign Cloud's first region is eusc-de-east-1.
constexpr KnownRegion kRegions[] = {
    {"us-east-1", "aws"},
    {"us-east-2", "aws"},
    {"us-west-1", "aws"},
    {"us-west-2", "aws"},
    {"af-south-1", "aws"},
    {"ap-east-1", "aws"},
    {"ap-east-2", "aws"},
    {"ap-south-1", "aws"},
    {"ap-south-2", "aws"},
    {"ap-southeast-1", "aws"},
    {"ap-southeast-2", "aws"},
    {"ap-southeast-3", "aws"},
    {"ap-southeast-4", "aws"},
    {"ap-southeast-5", "aws"},
    {"ap-southeast-6", "aws"},
    {"ap-southeast-7", "aws"},
    {"ap-northeast-1", "aws"},
    {"ap-northeast-2", "aws"},
    {"ap-northeast-3", "aws"},
    {"ca-central-1", "aws"},
    {"ca-west-1", "aws"},
    {"eu-central-1", "aws"},
    {"eu-central-2", "aws"},
    {"eu-west-1", "aws"},
    {"eu-west-2", "aws"},
    {"eu-west-3", "aws"},
    {"eu-south-1", "aws"},
    {"eu-south-2", "aws"},
    {"eu-north-1", "aws"},
    {"il-central-1", "aws"},
    {"me-south-1", "aws"},
    {"me-central-1", "aws"},
    {"mx-central-1", "aws"},
    {"sa-east-1", "aws"},
    {"us-gov-west-1", "aws-us-gov"},
    {"us-gov-east-1", "aws-us-gov"},
    {"cn-north-1", "aws-cn"},
    {"cn-northwest-1", "aws-cn"},
    {"eusc-de-east-1", "aws-eusc"},
};

}  // namespace

std::span<const KnownRegion> KnownRegions() { return kRegions; }

const KnownRegion* FindKnownRegion(std::string_view name) {
  for (const KnownRegion& region : kRegions) {
    if (region.name == name) return &region;
  }
  return nullptr;
}

}  // namespace gatescope::deploy
