#include "core/json_prefix.h"

#include <array>
#include <cstring>
#include <vector>

#include "core/ascii.h"
#include "core/utf8.h"

namespace gatescope {
namespace {

constexpr size_t kMaxDepth = 32;

// Recursive descent over a possibly cut JSON text. Each Parse* returns false when the text
// ended or broke inside the value; the caller then stops, reporting open containers as
// incomplete.
class Scanner {
 public:
  Scanner(std::string_view text, JsonPrefixVisitor& visitor) : text_(text), visitor_(visitor) {}

  bool Run() {
    SkipSpace();
    if (!ParseValue(true)) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // Reads a string at pos_ (the opening quote) into `out`. Sets *complete; returns false on
  // a malformed escape or control character (the string is then unusable).
  bool ReadString(std::string* out, bool* complete) {
    out->clear();
    *complete = false;
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        *complete = true;
        return true;
      }
      // JSON forbids raw control characters (tab included) in strings.
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        // Copy the run up to the next quote or backslash at once.
        size_t end = pos_;
        while (end < text_.size() && text_[end] != '"' && text_[end] != '\\' &&
               static_cast<unsigned char>(text_[end]) >= 0x20) {
          ++end;
        }
        out->append(text_.substr(pos_, end - pos_));
        pos_ = end;
        continue;
      }
      if (pos_ + 1 >= text_.size()) {
        pos_ = text_.size();
        return true;  // Cut inside an escape: the prefix before it stands.
      }
      char e = text_[pos_ + 1];
      pos_ += 2;
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          if (pos_ + 4 > text_.size()) {
            pos_ = text_.size();
            return true;
          }
          unsigned code = 0;
          for (size_t i = 0; i < 4; ++i) {
            const int digit = HexDigitValue(text_[pos_ + i]);
            if (digit < 0) return false;
            code = (code << 4) | static_cast<unsigned>(digit);
          }
          pos_ += 4;
          // Surrogate halves as they come: exact astral characters do not matter to discovery.
          AppendUtf8(code, *out);
          break;
        }
        default:
          return false;
      }
    }
    return true;
  }

  // Skips a nested object or array at pos_ without recursing (so that no input can exhaust
  // the stack). Returns false if the text ends first.
  bool SkipNested() {
    size_t depth = 0;
    bool in_string = false;
    for (; pos_ < text_.size(); ++pos_) {
      char c = text_[pos_];
      if (in_string) {
        if (c == '\\') ++pos_;
        else if (c == '"') in_string = false;
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          ++pos_;
          return true;
        }
      }
    }
    return false;
  }

  // Skips a string nobody reads without copying it. False if the text ends inside it.
  bool SkipString() {
    for (++pos_; pos_ < text_.size(); ++pos_) {
      const void* stop = nullptr;
      // Jump to the next quote; a backslash before it is checked by walking back.
      stop = std::memchr(text_.data() + pos_, '"', text_.size() - pos_);
      if (stop == nullptr) break;
      size_t quote = static_cast<const char*>(stop) - text_.data();
      size_t backslashes = 0;
      while (quote - backslashes > pos_ && text_[quote - backslashes - 1] == '\\') ++backslashes;
      pos_ = quote;
      if (backslashes % 2 == 0) {
        ++pos_;
        return true;
      }
    }
    pos_ = text_.size();
    return false;
  }

  bool ParseValue(bool visit) {
    if (pos_ >= text_.size()) return false;
    char c = text_[pos_];
    if ((c == '{' || c == '[') && path_.size() >= kMaxDepth) return SkipNested();
    if (c == '{') return ParseObject(visit);
    if (c == '[') return ParseArray(visit);
    if (c == '"' && !visit) return SkipString();
    if (c == '"') {
      std::string& buffer = values_[path_.size()];
      bool complete = false;
      if (!ReadString(&buffer, &complete)) return false;
      if (visit) visitor_.OnString(path_, buffer, complete);
      return complete;
    }
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
           text_[pos_] != ']' && text_[pos_] != ' ' && text_[pos_] != '\n' &&
           text_[pos_] != '\r' && text_[pos_] != '\t') {
      ++pos_;
    }
    std::string_view raw = text_.substr(start, pos_ - start);
    if (pos_ >= text_.size() || !IsScalar(raw)) return false;  // Cut, or not JSON.
    if (visit) visitor_.OnScalar(path_, raw);
    return true;
  }

  static bool IsScalar(std::string_view raw) {
    if (raw == "true" || raw == "false" || raw == "null") return true;
    if (raw.empty()) return false;
    for (char c : raw) {
      if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E')) {
        return false;
      }
    }
    return true;
  }

  bool ParseObject(bool visit) {
    ++pos_;
    if (visit) visitor_.OnContainerStart(path_, false);
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      if (visit) visitor_.OnContainerEnd(path_, true);
      return true;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Close(visit);
      std::string& key = keys_[path_.size()];
      bool complete = false;
      if (!ReadString(&key, &complete) || !complete) return Close(visit);
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Close(visit);
      ++pos_;
      SkipSpace();
      bool want = visit && visitor_.WantKey(path_, key);
      path_.push_back(key);
      bool ok = ParseValue(want);
      path_.pop_back();
      if (!ok) return Close(visit);
      if (Next next = AfterElement('}'); next != Next::kMore) return End(next, visit);
    }
  }

  bool ParseArray(bool visit) {
    ++pos_;
    if (visit) visitor_.OnContainerStart(path_, true);
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      if (visit) visitor_.OnContainerEnd(path_, true);
      return true;
    }
    while (true) {
      SkipSpace();
      path_.push_back("[]");
      bool ok = ParseValue(visit);
      path_.pop_back();
      if (!ok) return Close(visit);
      if (Next next = AfterElement(']'); next != Next::kMore) return End(next, visit);
    }
  }

  enum class Next { kMore, kClosed, kBroken };

  // After an element: a comma (more follow), the container's closing character, or anything
  // else (the text is cut or is not JSON).
  Next AfterElement(char close) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ',') {
      ++pos_;
      return Next::kMore;
    }
    if (pos_ < text_.size() && text_[pos_] == close) {
      ++pos_;
      return Next::kClosed;
    }
    return Next::kBroken;
  }

  bool End(Next next, bool visit) {
    if (next == Next::kBroken) return Close(visit);
    if (visit) visitor_.OnContainerEnd(path_, true);
    return true;
  }

  // The container at the current depth ends here, incomplete.
  bool Close(bool visit) {
    if (visit) visitor_.OnContainerEnd(path_, false);
    return false;
  }


  std::string_view text_;
  JsonPrefixVisitor& visitor_;
  size_t pos_ = 0;
  std::vector<std::string_view> path_;
  // Per-depth scratch strings (the path never exceeds kMaxDepth + 1 entries): `path_` views
  // the keys, which stay put while their values are read.
  std::array<std::string, kMaxDepth + 2> keys_;
  std::array<std::string, kMaxDepth + 2> values_;
};

}  // namespace

bool ScanJsonPrefix(std::string_view text, JsonPrefixVisitor& visitor) {
  Scanner scanner(text, visitor);
  return scanner.Run();
}

}  // namespace gatescope
