#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gatescope::decoders {

// Decodes standard base64 (RFC 4648 §4, '=' padding optional, ASCII whitespace ignored),
// as CloudWatch uses for awslogs.data. Returns nullopt on any other character or bad length.
std::optional<std::string> DecodeBase64(std::string_view text);

}  // namespace gatescope::decoders
