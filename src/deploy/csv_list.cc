#include "deploy/csv_list.h"

#include "core/ascii.h"

namespace gatescope::deploy {

std::vector<CsvCell> ParseCsvCells(std::string_view text) {
  std::vector<CsvCell> cells;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  int row = 0;
  while (!text.empty()) {
    ++row;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (TrimAsciiSpace(line).starts_with('#')) continue;
    while (true) {
      size_t comma = line.find(',');
      std::string_view cell = TrimAsciiSpace(line.substr(0, comma));
      if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') {
        cell = TrimAsciiSpace(cell.substr(1, cell.size() - 2));
      }
      if (!cell.empty()) cells.push_back({.value = std::string(cell), .row = row});
      if (comma == std::string_view::npos) break;
      line = line.substr(comma + 1);
    }
  }
  return cells;
}

}  // namespace gatescope::deploy
