#include "transform/transform_options.h"

#include <re2/re2.h>

namespace gatescope::transform {
namespace {

// RE2 reports errors as text about the pattern only ("missing ): (abc"); it never sees data.
Status CheckRegex(std::string_view option, const std::string& pattern) {
  if (pattern.empty()) return Status::Ok();
  RE2::Options re_options;
  re_options.set_log_errors(false);
  RE2 re(pattern, re_options);
  if (!re.ok()) return InvalidArgumentError(std::string(option) + ": " + re.error());
  return Status::Ok();
}

Status CheckNames(std::string_view option, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) {
      return InvalidArgumentError(std::string(option) + ": entry " + std::to_string(i) +
                                  " is empty");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTransformOptions(const TransformOptions& options) {
  GS_RETURN_IF_ERROR(CheckRegex("content_type_regex", options.content_type_regex));
  GS_RETURN_IF_ERROR(CheckRegex("static_file_regex", options.static_file_regex));
  if (options.max_body_bytes < kMinMaxBodyBytes || options.max_body_bytes > kMaxMaxBodyBytes) {
    return InvalidArgumentError("max_body_bytes: " + std::to_string(options.max_body_bytes) +
                                " is out of range [" + std::to_string(kMinMaxBodyBytes) + ", " +
                                std::to_string(kMaxMaxBodyBytes) + "]");
  }
  GS_RETURN_IF_ERROR(CheckNames("redact_headers", options.redact_headers));
  GS_RETURN_IF_ERROR(CheckNames("redact_query_params", options.redact_query_params));
  return Status::Ok();
}

}  // namespace gatescope::transform
