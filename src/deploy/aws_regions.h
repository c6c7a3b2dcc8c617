#pragma once

#include <span>
#include <string_view>

namespace gatescope::deploy {

// A region a deployment may name, and the partition it belongs to. A StackSet and its
// artifact buckets live in one partition, so every region of a deployment must share it.
struct KnownRegion {
  std::string_view name;       // "eu-west-1".
  std::string_view partition;  // "aws", "aws-us-gov", "aws-cn" or "aws-eusc".
};

// Every public AWS region as of early 2026: commercial (including the opt-in ones), GovCloud
// (US), China, and the European Sovereign Cloud. Offline checks accept exactly these names; with
// `--aws`, DescribeRegions says which are enabled. A region launched later must be added here.
std::span<const KnownRegion> KnownRegions();

// The region's entry, or null when the name is not a known region.
const KnownRegion* FindKnownRegion(std::string_view name);

}  // namespace gatescope::deploy
