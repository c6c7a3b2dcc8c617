#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gatescope::deploy {

// One non-empty cell of a list file.
struct CsvCell {
  std::string value;  // Trimmed; surrounding double quotes removed.
  int row = 0;        // 1-based line in the file.
};

// Reads a list file the deployment names (OUs, account ids): cells separated by commas or line
// ends, each trimmed, a pair of surrounding double quotes dropped (spreadsheets export cells
// that way), empty cells skipped, lines starting with `#` ignored, a UTF-8 byte order mark and
// CR line ends accepted. Does not validate the values.
std::vector<CsvCell> ParseCsvCells(std::string_view text);

}  // namespace gatescope::deploy
