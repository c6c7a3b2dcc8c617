#pragma once
// Placeholder: implemented by issue 5 work in progress.
namespace gatescope::aws {}  // namespace gatescope::aws
