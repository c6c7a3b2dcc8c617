// Fuzzes the deployment `.env` reader and checker: the parser, the per-key checks and
// conflicts, the output formats, the list-file reader and the schedule expressions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deploy/csv_list.h"
#include "deploy/deploy_settings.h"
#include "deploy/dotenv.h"
#include "deploy/schedule_expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  gatescope::deploy::DotenvFile file = gatescope::deploy::ParseDotenv(input);
  int last_line = 0;
  for (const gatescope::deploy::DotenvEntry& e : file.entries) {
    // Entries come in file order, one per line, each with a key.
    if (e.key.empty() || e.line <= last_line) std::abort();
    last_line = e.line;
  }
  // Settings that name files would read the disk (absolute paths reach anywhere): drop them,
  // and anchor relative paths in a directory that does not exist.
  std::erase_if(file.entries, [](const gatescope::deploy::DotenvEntry& e) {
    return e.key.ends_with("_FILE") || e.key == "GATESCOPE_LAMBDA_ZIP";
  });
  gatescope::deploy::DeploySettings settings =
      gatescope::deploy::CheckDeploySettings(file, "/nonexistent-gatescope-fuzz/.env");
  for (const gatescope::deploy::Problem& p : settings.problems) {
    (void)gatescope::deploy::FormatProblem(".env", p);
  }
  (void)gatescope::deploy::FormatShell(settings);
  (void)gatescope::deploy::FormatJson(settings);
  (void)gatescope::deploy::FormatText(settings);
  if (settings.ok()) {
    gatescope::deploy::ApplyAccountRegions(settings, {{.name = "us-east-1", .enabled = true}});
  }
  (void)gatescope::deploy::ParseCsvCells(input);
  (void)gatescope::deploy::CheckScheduleExpression(input.substr(0, 256));
  return 0;
}
