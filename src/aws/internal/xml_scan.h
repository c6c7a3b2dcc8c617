#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatescope::aws::xml {

// A small, tolerant reader for the XML that AWS query-protocol and S3 responses carry (EC2
// DescribeRegions, STS AssumeRole, errors). Not a validating parser: it finds elements by local
// name (a namespace prefix is ignored), skips comments, processing instructions and CDATA
// correctly, and never reads out of bounds on malformed input (fuzzed: fuzz/aws_xml_fuzz.cc).

// Entity-decoded text of the first element named `name` anywhere in `doc`; nullopt when absent.
std::optional<std::string> FirstText(std::string_view doc, std::string_view name);

// The inner XML of each element named `name`, in document order. An element nested inside
// another of the same name is part of the outer one's content, not listed separately.
std::vector<std::string_view> Elements(std::string_view doc, std::string_view name);

// Replaces &lt; &gt; &amp; &quot; &apos; and numeric references (&#65; &#x41;); leaves unknown
// entities as they are.
std::string DecodeEntities(std::string_view text);

}  // namespace gatescope::aws::xml
