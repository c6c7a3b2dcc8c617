#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "model/raw_record.h"

namespace gatescope::testing {

// A Clock that moves only when told to.
class FakeClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return now_; }
  std::chrono::steady_clock::time_point MonotonicNow() const override { return mono_; }
  void Advance(std::chrono::milliseconds d) {
    now_ += d;
    mono_ += d;
  }

 private:
  std::chrono::system_clock::time_point now_{std::chrono::milliseconds(1700000000000)};
  std::chrono::steady_clock::time_point mono_{};
};

// Path of a file under tests/fixtures (GS_FIXTURES, set by gatescope_add_test).
std::string FixturePath(std::string_view relative);
std::string ReadFile(const std::string& path);
std::string ReadFixture(std::string_view relative);

// The fixture's event lines: lines that are not blank and not "# " provenance comments.
std::vector<std::string> FixtureLines(std::string_view relative);

// gzip-compresses `data` (one member).
std::string Gzip(std::string_view data);
// gunzip; empty when the stream is broken.
std::string Gunzip(std::string_view gz);

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }
  std::string Write(std::string_view name, std::string_view content) const;

 private:
  std::string path_;
};

// A copy of a RawRecord that owns its strings.
struct OwnedRecord {
  std::string message, log_group, log_stream, event_id;
  int64_t timestamp_ms = -1;
  static OwnedRecord From(const model::RawRecord& r) {
    return {std::string(r.message), std::string(r.log_group), std::string(r.log_stream),
            std::string(r.event_id), r.timestamp_ms};
  }
  // A view of this record, valid while it lives.
  model::RawRecord View() const {
    return {.message = message, .timestamp_ms = timestamp_ms, .log_group = log_group,
            .log_stream = log_stream, .event_id = event_id};
  }
};

}  // namespace gatescope::testing
