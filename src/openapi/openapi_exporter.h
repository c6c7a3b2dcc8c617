#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "inventory/inventory.h"

namespace gatescope::openapi {

struct OpenApiOptions {
  int64_t generated_at_ms = 0;
};

// Renders an inventory as OpenAPI 3.1 documents that openapi-spec-validator accepts.
//
// - One `servers` entry per API stage (its logged domain, else the execute-api URL when the
//   region is known, else a relative "/{stage}" URL); a path served by only some of them
//   lists those in its own `servers`.
// - The same method on the same path in several stages is one operation; the per-stage facts
//   are in `x-gatescope-sources`.
// - Every "{name}" in a path is declared as a required path parameter. A greedy "{proxy+}"
//   is rendered "{proxy}" (a '+' is not valid in an OpenAPI template) and marked
//   `x-gatescope-greedy`. Braces in concrete (untemplated) paths are percent-encoded.
// - Observed status codes become responses; counts, first/last seen, latency percentiles and
//   provenance are `x-gatescope-*` extensions. WebSocket routes, which OpenAPI cannot
//   describe, are listed in the root's `x-gatescope-websocket-routes`; methods OpenAPI 3.1
//   has no field for, in the path item's `x-gatescope-other-operations`.
//
// Thread-safety: pure functions of their arguments.
std::string ExportOpenApi(const inventory::Inventory& inventory, const OpenApiOptions& options);
// The same from a snapshot already rendered (rendering templates the whole history: do it once).
std::string ExportOpenApi(const inventory::Inventory& inventory,
                          const inventory::Inventory::Snapshot& snapshot,
                          const OpenApiOptions& options);

// One document per API id, as (file name "<api id>.openapi.json", document) pairs, sorted.
std::vector<std::pair<std::string, std::string>> ExportOpenApiPerApi(
    const inventory::Inventory& inventory, const OpenApiOptions& options);
std::vector<std::pair<std::string, std::string>> ExportOpenApiPerApi(
    const inventory::Inventory& inventory, const inventory::Inventory::Snapshot& snapshot,
    const OpenApiOptions& options);

// The same from the snapshot alone (it carries the API stages): what a server renders under a
// lock and serves without it. The overloads above call these.
std::string ExportOpenApi(const inventory::Inventory::Snapshot& snapshot,
                          const OpenApiOptions& options);
std::vector<std::pair<std::string, std::string>> ExportOpenApiPerApi(
    const inventory::Inventory::Snapshot& snapshot, const OpenApiOptions& options);

// The document of one API (what ExportOpenApiPerApi writes for it), as JSON; nullopt when the
// snapshot has no API stage with this id.
std::optional<nlohmann::ordered_json> ExportOpenApiJson(
    const inventory::Inventory::Snapshot& snapshot, std::string_view api_id,
    const OpenApiOptions& options);
// The same serialized as ExportOpenApiPerApi does (2-space indented JSON and a newline).
std::optional<std::string> ExportOpenApiForApi(const inventory::Inventory::Snapshot& snapshot,
                                               std::string_view api_id,
                                               const OpenApiOptions& options);

// "/pets/{petId+}" -> "/pets/{petId}". Exposed for tests.
std::string RenderPath(const std::string& path, bool concrete);

}  // namespace gatescope::openapi
