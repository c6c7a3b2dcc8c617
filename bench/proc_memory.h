#pragma once
// Memory figures of this process from /proc, for the benches that report peak RSS.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace gatescope::bench {

// A "VmHWM:" / "VmRSS:" figure of /proc/self/status, in KiB; -1 if unavailable.
inline int64_t ProcStatusKiB(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  size_t key_len = std::strlen(key);
  while (std::getline(f, line)) {
    if (line.compare(0, key_len, key) == 0) return std::strtoll(line.c_str() + key_len, nullptr, 10);
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so each case reports its own peak. Returns
// false when the kernel refused; the peak is then the process's so far.
inline bool ResetPeakRss() {
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return false;
  bool ok = std::fputs("5", f) >= 0;
  ok = std::fclose(f) == 0 && ok;
  return ok;
}

}  // namespace gatescope::bench
