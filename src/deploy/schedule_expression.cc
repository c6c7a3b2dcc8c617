#include "deploy/schedule_expression.h"

#include <array>
#include <charconv>
#include <vector>

namespace gatescope::deploy {
namespace {

constexpr std::string_view kForms =
    "expected rate(1 minute), rate(N minutes|hours|days) or cron(min hour day-of-month month "
    "day-of-week year)";

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos) return out;
    s = s.substr(i + 1);
  }
}

bool ParseNumber(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

struct CronField {
  std::string_view name;
  int min;
  int max;
  std::array<std::string_view, 12> names;  // Names for min, min+1, ... (months, weekdays).
};

constexpr CronField kFields[6] = {
    {"minutes", 0, 59, {}},
    {"hours", 0, 23, {}},
    {"day-of-month", 1, 31, {}},
    {"month",
     1,
     12,
     {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
    {"day-of-week", 1, 7, {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
    {"year", 1970, 2199, {}},
};

bool ParseValue(const CronField& field, std::string_view s, int& out) {
  if (ParseNumber(s, out)) return out >= field.min && out <= field.max;
  for (size_t i = 0; i < field.names.size(); ++i) {
    if (field.names[i].empty()) break;
    if (s.size() == 3 && (s[0] & ~0x20) == field.names[i][0] &&
        (s[1] & ~0x20) == field.names[i][1] && (s[2] & ~0x20) == field.names[i][2]) {
      out = field.min + static_cast<int>(i);
      return true;
    }
  }
  return false;
}

// One comma-separated part of a field: `*`, `v`, `a-b`, each optionally `/step`, plus the
// day-of-month (`L`, `LW`, `nW`) and day-of-week (`L`, `nL`, `n#k`) specials.
bool CheckCronPart(size_t index, std::string_view part) {
  const CronField& field = kFields[index];
  int v = 0;
  if (index == 2 && (part == "L" || part == "LW")) return true;
  if (index == 2 && part.size() >= 2 && part.back() == 'W') {
    return ParseValue(field, part.substr(0, part.size() - 1), v);
  }
  if (index == 4 && part == "L") return true;
  if (index == 4 && part.size() >= 2 && part.back() == 'L') {
    return ParseValue(field, part.substr(0, part.size() - 1), v);
  }
  if (index == 4 && part.find('#') != std::string_view::npos) {
    size_t hash = part.find('#');
    int k = 0;
    return ParseValue(field, part.substr(0, hash), v) && ParseNumber(part.substr(hash + 1), k) &&
           k >= 1 && k <= 5;
  }
  size_t slash = part.find('/');
  if (slash != std::string_view::npos) {
    int step = 0;
    if (!ParseNumber(part.substr(slash + 1), step) || step < 1) return false;
    part = part.substr(0, slash);
  }
  if (part == "*") return true;
  size_t dash = part.find('-');
  if (dash != std::string_view::npos) {
    int a = 0;
    int b = 0;
    return ParseValue(field, part.substr(0, dash), a) &&
           ParseValue(field, part.substr(dash + 1), b);
  }
  return ParseValue(field, part, v);
}

std::string CheckCron(std::string_view body) {
  std::vector<std::string_view> fields;
  for (std::string_view f : Split(body, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 6) {
    return "cron() needs exactly 6 fields (minutes hours day-of-month month day-of-week year), "
           "got " +
           std::to_string(fields.size());
  }
  const bool dom_any = fields[2] == "?";
  const bool dow_any = fields[4] == "?";
  if (dom_any == dow_any) {
    return "cron(): exactly one of day-of-month and day-of-week must be ?, e.g. "
           "cron(0 12 * * ? *)";
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] == "?") {
      if (i == 2 || i == 4) continue;
      return "cron(): ? is only allowed in day-of-month or day-of-week";
    }
    for (std::string_view part : Split(fields[i], ',')) {
      if (!CheckCronPart(i, part)) {
        return "cron(): invalid " + std::string(kFields[i].name) + " field \"" +
               std::string(fields[i]) + "\" (values " + std::to_string(kFields[i].min) + "-" +
               std::to_string(kFields[i].max) + ", with , - * /)";
      }
    }
  }
  return "";
}

std::string CheckRate(std::string_view body) {
  size_t space = body.find(' ');
  int n = 0;
  if (space == std::string_view::npos || !ParseNumber(body.substr(0, space), n) || n < 1 ||
      body[0] == '0') {
    return "rate() needs a positive whole number and a unit: " + std::string(kForms);
  }
  std::string_view unit = body.substr(space + 1);
  const bool singular = unit == "minute" || unit == "hour" || unit == "day";
  const bool plural = unit == "minutes" || unit == "hours" || unit == "days";
  if (!singular && !plural) {
    return "rate(): the unit must be minute(s), hour(s) or day(s)";
  }
  if (singular != (n == 1)) {
    return n == 1 ? "rate(): 1 takes the singular unit, e.g. rate(1 minute)"
                  : "rate(): use the plural unit for " + std::to_string(n) + ", e.g. rate(" +
                        std::to_string(n) + " minutes)";
  }
  return "";
}

}  // namespace

std::string CheckScheduleExpression(std::string_view e) {
  if (e.starts_with("at(")) return "at() runs once; " + std::string(kForms);
  if (e.size() < 3 || e.back() != ')') return std::string(kForms);
  if (e.starts_with("rate(")) return CheckRate(e.substr(5, e.size() - 6));
  if (e.starts_with("cron(")) return CheckCron(e.substr(5, e.size() - 6));
  return std::string(kForms);
}

}  // namespace gatescope::deploy
