#include "core/time_format.h"

#include <cstdio>

namespace gatescope {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int64_t* out) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool ValidDateTime(int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s) {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

int64_t ToEpochMs(int64_t y, int64_t mo, int64_t d, int64_t h, int64_t mi, int64_t s) {
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60000 + s * 1000;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> ParseIso8601Prefix(std::string_view t, size_t* consumed) {
  int64_t y, mo, d, h, mi, s;
  if (!Digits(t, 0, 4, &y) || t.size() < 19 || t[4] != '-' || !Digits(t, 5, 2, &mo) ||
      t[7] != '-' || !Digits(t, 8, 2, &d) || (t[10] != 'T' && t[10] != ' ') ||
      !Digits(t, 11, 2, &h) || t[13] != ':' || !Digits(t, 14, 2, &mi) || t[16] != ':' ||
      !Digits(t, 17, 2, &s) || !ValidDateTime(mo, d, h, mi, s)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < t.size() && (t[pos] == '.' || t[pos] == ',')) {
    ++pos;
    int64_t scale = 100;
    size_t start = pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      millis += (t[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_min = 0;
  if (pos < t.size() && t[pos] == 'Z') {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int64_t oh, om;
    int sign = t[pos] == '-' ? -1 : 1;
    if (!Digits(t, pos + 1, 2, &oh)) return std::nullopt;
    size_t mpos = pos + 3;
    if (mpos < t.size() && t[mpos] == ':') ++mpos;
    if (!Digits(t, mpos, 2, &om)) return std::nullopt;
    offset_min = sign * (oh * 60 + om);
    pos = mpos + 2;
  }
  *consumed = pos;
  return ToEpochMs(y, mo, d, h, mi, s) + millis - offset_min * 60000;
}

std::optional<int64_t> ParseClfTime(std::string_view t) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  int64_t d, y, h, mi, s, oh, om;
  if (t.size() < 26 || !Digits(t, 0, 2, &d) || t[2] != '/' || t[6] != '/' ||
      !Digits(t, 7, 4, &y) || t[11] != ':' || !Digits(t, 12, 2, &h) || t[14] != ':' ||
      !Digits(t, 15, 2, &mi) || t[17] != ':' || !Digits(t, 18, 2, &s) || t[20] != ' ' ||
      (t[21] != '+' && t[21] != '-') || !Digits(t, 22, 2, &oh) || !Digits(t, 24, 2, &om)) {
    return std::nullopt;
  }
  size_t month = kMonths.find(t.substr(3, 3));
  if (month == std::string_view::npos || month % 3 != 0) return std::nullopt;
  int64_t mo = static_cast<int64_t>(month / 3) + 1;
  if (!ValidDateTime(mo, d, h, mi, s)) return std::nullopt;
  int64_t offset_min = (t[21] == '-' ? -1 : 1) * (oh * 60 + om);
  return ToEpochMs(y, mo, d, h, mi, s) - offset_min * 60000;
}

std::string FormatIso8601(int64_t ms) {
  int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  int64_t rem = ms - days * 86400000;
  // civil_from_days (Howard Hinnant).
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600000),
                static_cast<long long>(rem / 60000 % 60), static_cast<long long>(rem / 1000 % 60),
                static_cast<long long>(rem % 1000));
  return buf;
}

}  // namespace gatescope
