#include "classify/segment_classifier.h"

#include "core/ascii.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace gatescope::classify {
namespace {

#include "classify/words/dictionary_data.inc"

// Longest token looked up in the dictionary; longer letter runs are never English words, and
// the bound lets look-ups lowercase and inflect into a stack buffer.
constexpr size_t kMaxWordLen = 48;
// Segments up to this size are percent-decoded into a stack buffer; longer ones (tokens,
// blobs) are classified as they are.
constexpr size_t kMaxDecodedLen = 1024;
// Compound splitting is quadratic in the token length; longer runs are left unsplit.
constexpr size_t kMaxCompoundLen = 32;

inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool IsLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
inline bool IsLetter(unsigned char c) { return IsUpper(c) || IsLower(c); }
inline bool IsHexDigit(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline char Lower(unsigned char c) { return static_cast<char>(IsUpper(c) ? c + 32 : c); }


// The embedded word list, decoded once into one buffer with an open-addressing hash index.
// Immutable after construction, so concurrent look-ups are safe.
class Dictionary {
 public:
  Dictionary() {
    blob_.reserve(kWordCount * 10);
    std::vector<uint32_t> entries;  // (offset << 8) | length, per word.
    entries.reserve(kWordCount);
    for (const char* chunk : kWordChunks) {
      std::string_view data(chunk);
      std::string word;
      size_t i = 0;
      while (i < data.size()) {
        const size_t shared = static_cast<size_t>(data[i] - 'A');
        size_t j = i + 1;
        while (j < data.size() && !IsUpper(static_cast<unsigned char>(data[j]))) ++j;
        word.resize(shared < word.size() ? shared : word.size());
        word.append(data.substr(i + 1, j - i - 1));
        entries.push_back(static_cast<uint32_t>(blob_.size() << 8 | word.size()));
        blob_.append(word);
        i = j;
      }
    }
    size_t slots = 1;
    while (slots < entries.size() * 2) slots <<= 1;
    table_.assign(slots, 0);
    mask_ = slots - 1;
    for (uint32_t e : entries) {
      size_t h = Hash(Word(e)) & mask_;
      while (table_[h] != 0) h = (h + 1) & mask_;
      table_[h] = e;
    }
  }

  bool Contains(std::string_view w) const {
    if (w.size() < 2 || w.size() > 255) return false;
    size_t h = Hash(w) & mask_;
    while (table_[h] != 0) {
      if (Word(table_[h]) == w) return true;
      h = (h + 1) & mask_;
    }
    return false;
  }

 private:
  static size_t Hash(std::string_view w) {
    uint32_t h = 2166136261u;  // FNV-1a.
    for (char c : w) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
  }
  std::string_view Word(uint32_t e) const {
    return std::string_view(blob_).substr(e >> 8, e & 0xff);
  }

  std::string blob_;
  std::vector<uint32_t> table_;  // 0 = empty; words are never empty, so no entry is 0.
  size_t mask_ = 0;
};

const Dictionary& Dict() {
  static const Dictionary dict;
  return dict;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// A short consonant-vowel-consonant stem doubles its consonant before -ed/-ing ("jar",
// "jarred"), so "jared" and "bobing" are not inflections of "jar" and "bob".
bool WouldDouble(std::string_view stem) {
  const size_t n = stem.size();
  return n >= 3 && n <= 4 && !IsVowel(stem[n - 1]) && IsVowel(stem[n - 2]) &&
         !IsVowel(stem[n - 3]) && stem[n - 1] != 'w' && stem[n - 1] != 'x' && stem[n - 1] != 'y';
}

// `w` is lowercase and at most kMaxWordLen long. Tries the word, then undoes one regular
// inflection: the SCOWL lists carry most inflected forms, but the API list does not
// ("webhooks", "presigned", "autoscaling"). The rules follow English spelling closely
// enough that names do not pass as inflections ("james" is not "jam" + "es").
bool ContainsInflected(std::string_view w) {
  const Dictionary& d = Dict();
  if (d.Contains(w)) return true;
  const size_t n = w.size();
  if (n < 4 || n > kMaxWordLen) return false;
  char buf[kMaxWordLen + 2];
  auto with = [&](size_t keep, std::string_view suffix) {
    w.copy(buf, keep);
    suffix.copy(buf + keep, suffix.size());
    return d.Contains(std::string_view(buf, keep + suffix.size()));
  };
  auto ends = [&](std::string_view s) { return w.ends_with(s); };
  // "-es" only after a sibilant or "o": "boxes", "hashes", "heroes".
  auto sibilant_es = [&] {
    const std::string_view stem = w.substr(0, n - 2);
    return stem.ends_with("s") || stem.ends_with("x") || stem.ends_with("z") ||
           stem.ends_with("ch") || stem.ends_with("sh") || stem.ends_with("o");
  };
  // A doubled final consonant before -ed/-ing ("stopped", "mapping").
  auto doubled = [&](size_t cut) { return n - cut >= 3 && w[n - cut - 1] == w[n - cut - 2]; };
  if (ends("ies") && n > 4 && with(n - 3, "y")) return true;
  if (ends("es") && sibilant_es() && with(n - 2, "")) return true;
  if (ends("s") && !ends("ss") && with(n - 1, "")) return true;
  if (ends("ied") && n > 4 && with(n - 3, "y")) return true;
  if (ends("ed") && n > 4) {
    if (with(n - 1, "")) return true;  // "saved", "presigned" via "presign" + "ed" below.
    if (!WouldDouble(w.substr(0, n - 2)) && with(n - 2, "")) return true;
    if (doubled(2) && with(n - 3, "")) return true;
  }
  if (ends("ing") && n > 5) {
    if (with(n - 3, "e")) return true;
    if (!WouldDouble(w.substr(0, n - 3)) && with(n - 3, "")) return true;
    if (doubled(3) && with(n - 4, "")) return true;
  }
  return false;
}

bool InList(std::string_view w, std::initializer_list<std::string_view> list) {
  for (std::string_view x : list) {
    if (w == x) return true;
  }
  return false;
}

// Short words allowed inside a compound ("getbyid", "signout", "apikeys"). Any dictionary
// word of four or more letters may be a part, but SCOWL's many short entries ("con", "nor",
// "son", "car", "men") would let names and random strings split ("connor", "carmen"), so
// parts of two or three letters must be frequent API words.
bool IsShortCompoundPart(std::string_view w) {
  if (w.size() == 2) {
    return InList(w, {"by", "id", "in", "on", "up", "to", "of", "at", "io", "me", "my", "ip",
                      "ui", "os", "qr", "ai", "ml", "no", "do", "go", "is", "it", "or", "as"});
  }
  return InList(
      w,
      {"get", "set", "put", "add", "out", "api", "app", "log", "web", "sub", "pub", "key", "tag",
       "bot", "job", "dev", "ops", "new", "old", "all", "top", "hot", "big", "raw", "max", "min",
       "now", "end", "run", "use", "map", "ack", "bin", "box", "bus", "day", "fee", "fix", "for",
       "gen", "hub", "lab", "net", "pay", "pet", "pin", "pod", "pop", "row", "sku", "sms", "tax",
       "tip", "url", "uri", "via", "vip", "who", "why", "how", "ids", "sso", "otp", "mfa", "jwt",
       "xml", "csv", "pdf", "png", "jpg", "sdk", "cdn", "dns", "aws", "ssh", "ftp", "git", "npm",
       "org", "per", "pre", "pro", "sum", "err", "msg", "doc", "img", "pic", "tmp", "usr", "cfg",
       "env", "aux", "buy", "own", "off", "low", "zip", "ssl", "tls", "vpn", "ttl", "acl", "cli",
       "gui", "ide", "cpu", "gpu", "ram", "ssd", "vpc", "nat", "iam", "kms", "arn", "faq", "tos"});
}

// Word-forming prefixes: "rerequest", "uncollectible", "prefetch", "deprovision".
bool IsPrefix(std::string_view w) {
  return InList(w, {"re",   "un",    "pre",  "de",    "dis",   "non",   "multi", "co",  "mis",
                    "over", "under", "auto", "sub",   "super", "inter", "bi",    "tri", "semi",
                    "anti", "post",  "self", "cross", "micro", "meta",  "geo",   "mini"});
}

bool IsCompoundPart(std::string_view w) {
  return w.size() <= 3 ? IsShortCompoundPart(w) : ContainsInflected(w);
}

// Two-letter words that may end a compound ("getbyid", "signup"). Not "on", "in", "it":
// "jacks|on", "mart|in" and "develop|it" are names, not API words.
bool IsShortFinalPart(std::string_view w) {
  return InList(w, {"by", "id", "io", "ip", "ui", "os", "ai", "ml", "qr", "me", "up"});
}

// True when lowercase `w` splits into dictionary words ("healthcheck", "clusterrolebindings",
// "rerequest"). Dynamic programming over split points; `w` is at most kMaxCompoundLen long.
bool IsCompound(std::string_view w) {
  const size_t n = w.size();
  if (n < 5 || n > kMaxCompoundLen) return false;
  bool reach[kMaxCompoundLen + 1] = {true};
  for (size_t i = 0; i < n; ++i) {
    if (!reach[i]) continue;
    for (size_t j = i + 2; j <= n; ++j) {
      if (reach[j] || (i == 0 && j == n)) continue;
      const std::string_view part = w.substr(i, j - i);
      const bool ok = (j == n && part.size() == 2) ? IsShortFinalPart(part) : IsCompoundPart(part);
      if (ok || (i == 0 && IsPrefix(part) && n - j >= 4)) reach[j] = true;
    }
  }
  return reach[n];
}

// Letter-trigram cost of lowercase `w` in 1/8 bits, summed over the len+1 trigrams with
// boundaries ("^^a", "^ab", ..., "yz$").
uint32_t TrigramCost(std::string_view w, uint32_t* trigrams) {
  uint32_t cost = 0;
  unsigned a = 0, b = 0;
  for (char ch : w) {
    const unsigned c = static_cast<unsigned>(ch - 'a' + 1);
    cost += kTrigramCost[(a * 27 + b) * 27 + c];
    a = b;
    b = c;
  }
  cost += kTrigramCost[(a * 27 + b) * 27];
  *trigrams += static_cast<uint32_t>(w.size() + 1);
  return cost;
}

// Average bits per trigram mapped to 0..1. Dictionary words average about 2.5-3.5 bits,
// uniformly random letters about 7; the bounds were set on the test tables so that names
// and words stay below 0.5 and keyboard mash lands above 0.6.
constexpr float kGibberishLowBits = 3.4f;
constexpr float kGibberishHighBits = 6.8f;

// Dictionary tokens count as `natural` trigrams at the low bound: they are words, whatever
// their letters ("xml", "sha"). Written so that natural-only input maps to exactly 0.
float GibberishFromCost(uint32_t cost, uint32_t trigrams, uint32_t natural) {
  if (trigrams == 0) return 0;
  const float excess =
      static_cast<float>(cost) / 8.0f - static_cast<float>(trigrams) * kGibberishLowBits;
  const float g =
      excess / (static_cast<float>(trigrams + natural) * (kGibberishHighBits - kGibberishLowBits));
  return g < 0 ? 0 : (g > 1 ? 1 : g);
}

// ---- Whole-segment shapes. ----

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!IsHexDigit(c)) {
      return false;
    }
  }
  return true;
}

bool IsHex(std::string_view s) {
  if (s.size() < 16) return false;
  bool digit = false, letter = false;
  for (unsigned char c : s) {
    if (!IsHexDigit(c)) return false;
    (IsDigit(c) ? digit : letter) = true;
  }
  // 24 chars is a MongoDB ObjectId and 32/40/64 are MD5/SHA-1/SHA-256 digests even when
  // they happen to hold no letter (all-digit ones are caught as integers first).
  const size_t n = s.size();
  return (digit && letter) || n == 24 || n == 32 || n == 40 || n == 64;
}

// Parses exactly `n` digits at `s[*i]`, advancing `*i`.
bool Digits(std::string_view s, size_t* i, size_t n, int* value) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    const unsigned char c = static_cast<unsigned char>(s[*i + k]);
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *value = v;
  return true;
}

// ISO dates "2024-05-01", "2024-05", with an optional time ("2024-05-01T12:00:00Z"), and
// day-first or month-first "01-05-2024". "20240501" stays an integer: nothing separates it
// from an order number.
bool IsDate(std::string_view s) {
  size_t i = 0;
  int y = 0, m = 0, d = 0;
  if (Digits(s, &i, 4, &y) && i < s.size() && s[i] == '-') {
    ++i;
    if (!Digits(s, &i, 2, &m) || m < 1 || m > 12) return false;
    if (i == s.size()) return true;
    if (s[i] != '-') return false;
    ++i;
    if (!Digits(s, &i, 2, &d) || d < 1 || d > 31) return false;
    if (i == s.size()) return true;
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ' && s[i] != '_') return false;
    size_t digits = 0;
    for (++i; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if (IsDigit(c)) {
        ++digits;
      } else if (c != ':' && c != '.' && c != '+' && c != '-' && c != 'Z' && c != 'z') {
        return false;
      }
    }
    return digits >= 2;
  }
  i = 0;
  int a = 0, b = 0;
  if (s.size() != 10 || !Digits(s, &i, 2, &a) || s[i] != s[2] || (s[2] != '-' && s[2] != '.')) {
    return false;
  }
  ++i;
  if (!Digits(s, &i, 2, &b) || s[i] != s[2]) return false;
  ++i;
  if (!Digits(s, &i, 4, &y)) return false;
  return a >= 1 && b >= 1 && ((a <= 12 && b <= 31) || (a <= 31 && b <= 12));
}

// Parses 1..max_digits digits at `s[*i]`.
size_t DigitRun(std::string_view s, size_t* i, size_t max_digits) {
  size_t n = 0;
  while (*i < s.size() && IsDigit(static_cast<unsigned char>(s[*i]))) {
    ++*i;
    ++n;
  }
  return n <= max_digits ? n : 0;
}

// API versions: "v1", "V3", "v2.7", "v4.0", "v1.2.3", "v1beta1", "v2alpha", "v1p1beta1",
// and bare dotted numbers of two or three parts "2.7", "1.0", "1.2.3" (an id never has a
// dot; an IPv4 address has four parts and stays an identifier). A bare "1" is an integer.
bool IsVersion(std::string_view s) {
  size_t i = 0;
  const bool v = !s.empty() && (s[0] == 'v' || s[0] == 'V');
  if (v) ++i;
  if (DigitRun(s, &i, 4) == 0) return false;
  size_t dots = 0;
  while (i + 1 < s.size() && s[i] == '.' && IsDigit(static_cast<unsigned char>(s[i + 1]))) {
    ++i;
    if (DigitRun(s, &i, 4) == 0) return false;
    ++dots;
  }
  if (dots > (v ? 3u : 2u) || (!v && dots == 0)) return false;
  if (i == s.size()) return true;
  // Pre-release suffix: Kubernetes "v1beta1", Google "v1p1beta1", semver "1.0.0-rc.1".
  if (v && s[i] == 'p' && i + 1 < s.size() && IsDigit(static_cast<unsigned char>(s[i + 1]))) {
    ++i;
    DigitRun(s, &i, 3);
  }
  if (i < s.size() && (s[i] == '-' || s[i] == '.')) ++i;
  static constexpr std::string_view kTags[] = {"alpha",    "beta", "rc", "preview", "dev",
                                               "snapshot", "pre",  "ga", "stable",  "next"};
  std::string_view rest = s.substr(i);
  for (std::string_view tag : kTags) {
    if (rest.size() < tag.size()) continue;
    bool match = true;
    for (size_t k = 0; k < tag.size(); ++k) {
      if (Lower(static_cast<unsigned char>(rest[k])) != tag[k]) match = false;
    }
    if (!match) continue;
    size_t j = i + tag.size();
    if (j < s.size() && s[j] == '.') ++j;
    DigitRun(s, &j, 3);
    return j == s.size();
  }
  return false;
}

// RFC 5321-ish address: dot-atom local part, then a dotted domain with a letter TLD.
bool IsEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= s.size()) return false;
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  for (unsigned char c : s.substr(0, at)) {
    if (!IsLetter(c) && !IsDigit(c) &&
        std::string_view(".!#$%&'*+=?^_`{|}~-").find(c) == std::string_view::npos) {
      return false;
    }
  }
  std::string_view domain = s.substr(at + 1);
  size_t label = 0, dots = 0, tld_letters = 0;
  for (unsigned char c : domain) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      tld_letters = 0;
      ++dots;
    } else if (IsLetter(c) || IsDigit(c) || c == '-') {
      ++label;
      if (IsLetter(c)) ++tld_letters;
    } else {
      return false;
    }
  }
  return dots >= 1 && label >= 2 && tld_letters == label;
}

// Known file extensions: the engine templates "/t/{id}.json", so the stem before one is what
// gets classified. Compared case-insensitively.
bool IsKnownExtension(std::string_view ext) {
  static constexpr std::string_view kExtensions[] = {
      "json",   "xml",   "csv",     "tsv",   "html", "htm",  "ics",     "txt",  "pdf",  "png",
      "jpg",    "jpeg",  "gif",     "webp",  "svg",  "ico",  "gz",      "tgz",  "tar",  "zip",
      "bz2",    "xz",    "7z",      "js",    "css",  "map",  "md",      "yaml", "yml",  "rss",
      "atom",   "mp3",   "mp4",     "webm",  "mov",  "wav",  "ogg",     "doc",  "docx", "xls",
      "xlsx",   "ppt",   "pptx",    "bin",   "dat",  "log",  "php",     "asp",  "aspx", "jsp",
      "ndjson", "jsonl", "geojson", "proto", "pb",   "avro", "parquet", "wasm", "woff", "woff2",
      "ttf",    "otf",   "vcf",     "kml",   "gpx",  "heic", "tif",     "tiff", "bmp",  "avif",
      "rtf",    "odt",   "epub",    "apk",   "ipa",  "dmg",  "exe",     "msi",  "deb",  "rpm",
      "jar",    "war",   "sig",     "asc",   "pem",  "crt",  "cer",     "der",  "key"};
  if (ext.empty() || ext.size() > 7) return false;
  char buf[8];
  for (size_t i = 0; i < ext.size(); ++i) buf[i] = Lower(static_cast<unsigned char>(ext[i]));
  std::string_view lower(buf, ext.size());
  for (std::string_view e : kExtensions) {
    if (lower == e) return true;
  }
  return false;
}

// Removes up to two known extensions ("backup.tar.gz"), keeping a non-empty stem.
std::string_view StripExtensions(std::string_view s) {
  for (int round = 0; round < 2; ++round) {
    const size_t dot = s.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || !IsKnownExtension(s.substr(dot + 1))) break;
    s = s.substr(0, dot);
  }
  return s;
}

// ---- Tokens. ----

// Lowercases ASCII `s` into `out` (capacity kMaxWordLen); returns the lowered view, or an
// empty view when `s` is too long.
std::string_view LowerInto(std::string_view s, char* out) {
  if (s.size() > kMaxWordLen) return {};
  for (size_t i = 0; i < s.size(); ++i) out[i] = Lower(static_cast<unsigned char>(s[i]));
  return std::string_view(out, s.size());
}

bool IsAsciiRun(std::string_view r) {
  for (unsigned char c : r) {
    if (c >= 0x80) return false;
  }
  return true;
}

// camelCase word boundaries in an ASCII letter run: "getUser", "HTTPServer" ("HTTP|Server").
bool CamelBoundary(std::string_view r, size_t i) {
  const unsigned char a = static_cast<unsigned char>(r[i - 1]);
  const unsigned char b = static_cast<unsigned char>(r[i]);
  if (IsLower(a) && IsUpper(b)) return true;
  return IsUpper(a) && IsUpper(b) && i + 1 < r.size() &&
         IsLower(static_cast<unsigned char>(r[i + 1]));
}
std::string_view CamelHead(std::string_view r) {
  for (size_t i = 1; i < r.size(); ++i) {
    if (CamelBoundary(r, i)) return r.substr(0, i);
  }
  return r;
}
std::string_view CamelTail(std::string_view r) {
  for (size_t i = r.size(); i-- > 1;) {
    if (CamelBoundary(r, i)) return r.substr(i);
  }
  return r;
}

// How a digit run joins the letters around it into a word-with-digits ("oauth2", "2fa",
// "k8s", "getSha256"). Only words of the allow-list in api_words.txt qualify, plus "v" and a
// short number ("apiV2"): a general "word + digits" rule would make "user1" and "item17"
// vocabulary, and in paths those are identifiers.
struct DigitWord {
  bool allowed = false;
  size_t prev_used = 0;  // Letters taken from the end of the preceding letter run.
  size_t next_used = 0;  // Letters taken from the start of the following letter run.
};

// True when an ASCII letter run left beside a word-with-digits is itself made of words
// ("get" in "getSha256"): otherwise "aB3dE" would pass as "3d".
bool IsWordish(std::string_view run) {
  if (run.empty()) return true;
  if (run.size() > kMaxWordLen) return false;
  char buf[kMaxWordLen];
  const std::string_view lower = LowerInto(run, buf);
  if (lower.size() >= 2 && ContainsInflected(lower)) return true;
  size_t start = 0;
  for (size_t i = 1; i <= run.size(); ++i) {
    if (i < run.size() && !CamelBoundary(run, i)) continue;
    const std::string_view word = lower.substr(start, i - start);
    start = i;
    if (word.size() < 2 || !(ContainsInflected(word) || IsCompound(word))) return false;
  }
  return true;
}

DigitWord JoinDigits(std::string_view prev, std::string_view digits, std::string_view next) {
  DigitWord out;
  if (!IsAsciiRun(prev)) prev = {};
  if (!IsAsciiRun(next)) next = {};
  if (digits.size() > 8) return out;
  const std::string_view tail = CamelTail(prev);
  if (tail.size() == 1 && Lower(static_cast<unsigned char>(tail[0])) == 'v' && digits.size() <= 4 &&
      IsWordish(prev.substr(0, prev.size() - 1)) && IsWordish(next)) {
    out = {.allowed = true, .prev_used = 1};
    return out;
  }
  const std::string_view prevs[] = {prev, tail, {}};
  const std::string_view nexts[] = {next, CamelHead(next), {}};
  char buf[2 * kMaxWordLen + 8];
  for (std::string_view p : prevs) {
    for (std::string_view q : nexts) {
      if ((p.empty() && q.empty()) || p.size() > kMaxWordLen || q.size() > kMaxWordLen) {
        continue;
      }
      LowerInto(p, buf);
      digits.copy(buf + p.size(), digits.size());
      LowerInto(q, buf + p.size() + digits.size());
      if (Dict().Contains(std::string_view(buf, p.size() + digits.size() + q.size())) &&
          IsWordish(prev.substr(0, prev.size() - p.size())) && IsWordish(next.substr(q.size()))) {
        out = {.allowed = true, .prev_used = p.size(), .next_used = q.size()};
        return out;
      }
    }
  }
  return out;
}

// Letter chunks after which a digits-only chunk names a standard, not an instance:
// "utf-8", "iso-8859-1", "sha-256".
bool IsStandardPrefix(std::string_view w) {
  static constexpr std::string_view kPrefixes[] = {"utf", "ucs",  "iso", "sha",  "md",
                                                   "crc", "aes",  "rsa", "pkcs", "base",
                                                   "ipv", "http", "tls", "ssl",  "rfc"};
  for (std::string_view p : kPrefixes) {
    if (w == p) return true;
  }
  return false;
}

struct Analysis {
  float dict_weight = 0;          // Letters in dictionary tokens.
  float token_weight = 0;         // Letters in all tokens of length >= 2.
  uint32_t cost = 0;              // Trigram cost (1/8 bits) of the non-dictionary tokens...
  uint32_t trigrams = 0;          // ... over this many trigrams.
  uint32_t natural_trigrams = 0;  // Trigrams of dictionary tokens, scored as natural.
  size_t letters = 0;             // ASCII letters.
  size_t digits = 0;
  size_t case_switches = 0;         // Adjacent ASCII letters of different case.
  bool unexplained_digits = false;  // A digit run that is not part of a word or version.
  bool non_ascii = false;
  bool control = false;
  bool base64_only = true;  // Only [A-Za-z0-9+/=_.~%-] bytes.
};

void AddDictionaryToken(size_t length, Analysis* a) {
  if (length < 2) return;
  a->token_weight += static_cast<float>(length);
  a->dict_weight += static_cast<float>(length);
  a->natural_trigrams += static_cast<uint32_t>(length + 1);
}

// `lower` is a lowercase ASCII word of at most kMaxWordLen letters.
void AddUnknownToken(std::string_view lower, Analysis* a) {
  if (lower.size() < 2) return;
  a->token_weight += static_cast<float>(lower.size());
  a->cost += TrigramCost(lower, &a->trigrams);
}

// Scores an ASCII letter run: as one word if it is one ("OAuth", "USERS"), otherwise word
// by camelCase word; words that are not in the dictionary may still be compounds
// ("healthcheck", "clusterrolebindings").
void AnalyzeLetterRun(std::string_view run, Analysis* a) {
  char buf[kMaxWordLen];
  if (run.size() > kMaxWordLen) {
    // Too long for one word: random text scored 48 letters at a time.
    for (size_t i = 0; i < run.size(); i += kMaxWordLen) {
      AddUnknownToken(LowerInto(run.substr(i, kMaxWordLen), buf), a);
    }
    return;
  }
  const std::string_view lower = LowerInto(run, buf);
  if (lower.size() >= 2 && ContainsInflected(lower)) {
    AddDictionaryToken(lower.size(), a);
    return;
  }
  size_t start = 0;
  for (size_t i = 1; i <= run.size(); ++i) {
    if (i < run.size() && !CamelBoundary(run, i)) continue;
    const std::string_view word = lower.substr(start, i - start);
    start = i;
    if (word.size() < 2) continue;
    if (ContainsInflected(word) || IsCompound(word)) {
      AddDictionaryToken(word.size(), a);
    } else {
      AddUnknownToken(word, a);
    }
  }
}

// A maximal run of digits, or of letters (ASCII letters and UTF-8 bytes), inside a chunk.
struct Run {
  size_t begin = 0;
  size_t end = 0;
  bool digits = false;
};

Run RunAt(std::string_view chunk, size_t pos) {
  Run r{.begin = pos, .end = pos + 1, .digits = IsDigit(static_cast<unsigned char>(chunk[pos]))};
  while (r.end < chunk.size() && IsDigit(static_cast<unsigned char>(chunk[r.end])) == r.digits) {
    ++r.end;
  }
  return r;
}

std::string_view RunText(std::string_view chunk, const Run& r) {
  return chunk.substr(r.begin, r.end - r.begin);
}

// Analyses one chunk (a maximal run of letters, digits and UTF-8 bytes) into `a`.
// `standard_before` says the previous chunk was "utf", "iso-8859"...; returns whether a
// digits-only chunk right after this one is still part of a standard's name.
bool AnalyzeChunk(std::string_view chunk, bool standard_before, Analysis* a) {
  // A listed word-with-digits as a whole ("b2b2c", "iso27001", "sha256s"): the run-by-run
  // joins below cannot see words with two digit runs or an inflection after the digits.
  if (chunk.size() <= kMaxWordLen && IsAsciiRun(chunk)) {
    bool letters = false, digits = false;
    for (unsigned char c : chunk) (IsDigit(c) ? digits : letters) = true;
    char buf[kMaxWordLen];
    if (letters && digits && ContainsInflected(LowerInto(chunk, buf))) {
      a->letters += chunk.size();
      AddDictionaryToken(chunk.size(), a);
      for (unsigned char c : chunk) a->digits += IsDigit(c);
      return false;
    }
  }
  size_t head_cut = 0;  // Letters at the start of this letter run used by a digit word.
  DigitWord pending;    // The join of the digit run after the current letter run.
  bool has_pending = false;
  bool has_letters = false, has_digits = false, standard = false;
  for (size_t pos = 0; pos < chunk.size();) {
    const Run run = RunAt(chunk, pos);
    const std::string_view text = RunText(chunk, run);
    if (!run.digits) {
      has_letters = true;
      const std::string_view rest = text.substr(head_cut);
      size_t tail_cut = 0;
      has_pending = false;
      if (run.end < chunk.size()) {
        const Run digit_run = RunAt(chunk, run.end);
        std::string_view next;
        if (digit_run.end < chunk.size()) next = RunText(chunk, RunAt(chunk, digit_run.end));
        pending = JoinDigits(rest, RunText(chunk, digit_run), next);
        has_pending = true;
        tail_cut = pending.prev_used;
      }
      if (IsAsciiRun(text)) {
        a->letters += text.size();
        for (size_t k = 1; k < text.size(); ++k) {
          if (IsUpper(static_cast<unsigned char>(text[k])) !=
              IsUpper(static_cast<unsigned char>(text[k - 1]))) {
            ++a->case_switches;
          }
        }
        AnalyzeLetterRun(rest.substr(0, rest.size() - tail_cut), a);
      } else {
        // Another script or accented letters: a word the dictionary cannot judge.
        a->non_ascii = true;
        a->base64_only = false;
        a->token_weight += static_cast<float>(text.size());
      }
      head_cut = 0;
    } else {
      has_digits = true;
      a->digits += text.size();
      std::string_view next;
      if (run.end < chunk.size()) next = RunText(chunk, RunAt(chunk, run.end));
      const DigitWord join = has_pending ? pending : JoinDigits({}, text, next);
      has_pending = false;
      if (join.allowed) {
        AddDictionaryToken(join.prev_used + text.size() + join.next_used, a);
        head_cut = join.next_used;
      } else if (run.begin == 0 && run.end == chunk.size() && standard_before && text.size() <= 5) {
        standard = true;  // "iso-8859-1": the chain goes on.
      } else {
        a->unexplained_digits = true;
      }
    }
    pos = run.end;
  }
  if (has_letters && !has_digits && chunk.size() <= kMaxWordLen) {
    char buf[kMaxWordLen];
    standard = IsStandardPrefix(LowerInto(chunk, buf));
  }
  return standard;
}

// Splits `s` into chunks on every byte that is not an ASCII letter or digit and not part of
// a UTF-8 sequence ('-', '_', '.', '~', '+', space...), and analyses each chunk.
Analysis Analyze(std::string_view s) {
  Analysis a;
  bool standard = false;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (!IsLetter(c) && !IsDigit(c) && c < 0x80) {
      if (c < 0x20 || c == 0x7f) a.control = true;
      if (std::string_view("+/=_.~%-").find(static_cast<char>(c)) == std::string_view::npos) {
        a.base64_only = false;
      }
      ++i;
      continue;
    }
    size_t end = i;
    while (end < s.size()) {
      const unsigned char d = static_cast<unsigned char>(s[end]);
      if (!IsLetter(d) && !IsDigit(d) && d < 0x80) break;
      ++end;
    }
    standard = AnalyzeChunk(s.substr(i, end - i), standard, &a);
    i = end;
  }
  return a;
}

}  // namespace

std::string_view SegmentClassName(SegmentClass c) {
  switch (c) {
    case SegmentClass::kWord:
      return "word";
    case SegmentClass::kVersion:
      return "version";
    case SegmentClass::kInteger:
      return "integer";
    case SegmentClass::kUuid:
      return "uuid";
    case SegmentClass::kHex:
      return "hex";
    case SegmentClass::kDate:
      return "date";
    case SegmentClass::kEmail:
      return "email";
    case SegmentClass::kMixed:
      return "mixed";
    case SegmentClass::kToken:
      return "token";
    case SegmentClass::kEmpty:
      return "empty";
  }
  return "unknown";
}

bool IsIdentifierClass(SegmentClass c) {
  switch (c) {
    case SegmentClass::kInteger:
    case SegmentClass::kUuid:
    case SegmentClass::kHex:
    case SegmentClass::kDate:
    case SegmentClass::kEmail:
    case SegmentClass::kMixed:
    case SegmentClass::kToken:
      return true;
    case SegmentClass::kWord:
    case SegmentClass::kVersion:
    case SegmentClass::kEmpty:
      return false;
  }
  return false;
}

bool IsDictionaryWord(std::string_view token) {
  char buf[kMaxWordLen];
  std::string_view lower = LowerInto(token, buf);
  if (lower.size() < 2) return false;
  for (char c : lower) {
    if (!IsLower(static_cast<unsigned char>(c)) && !IsDigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return ContainsInflected(lower);
}

SegmentInfo ClassifySegment(std::string_view segment) {
  SegmentInfo info;
  if (segment.empty()) return info;

  // Percent-decode into a stack buffer: "john%40example.com" is an email.
  char decoded[kMaxDecodedLen];
  std::string_view s = segment;
  if (segment.size() <= kMaxDecodedLen && segment.find('%') != std::string_view::npos) {
    size_t n = 0;
    for (size_t i = 0; i < segment.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(segment[i]);
      if (c == '%' && i + 2 < segment.size()) {
        const int hi = HexDigitValue(static_cast<char>(segment[i + 1]));
        const int lo = HexDigitValue(static_cast<char>(segment[i + 2]));
        if (hi >= 0 && lo >= 0) {
          decoded[n++] = static_cast<char>(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      decoded[n++] = static_cast<char>(c);
    }
    s = std::string_view(decoded, n);
  }

  if (IsEmail(s)) {
    info.cls = SegmentClass::kEmail;
    return info;
  }
  const std::string_view t = StripExtensions(s);
  if (AllDigits(t)) {
    info.cls = SegmentClass::kInteger;
  } else if (IsUuid(t)) {
    info.cls = SegmentClass::kUuid;
  } else if (IsDate(t)) {
    info.cls = SegmentClass::kDate;
  } else if (IsVersion(t)) {
    info.cls = SegmentClass::kVersion;
  } else if (IsHex(t)) {
    info.cls = SegmentClass::kHex;
  }
  if (info.cls != SegmentClass::kEmpty) return info;

  const Analysis a = Analyze(t);
  info.gibberish = GibberishFromCost(a.cost, a.trigrams, a.natural_trigrams);
  // With no word of two or more letters ("-", "t", "$"), the segment is punctuation or a
  // one-letter literal like Discourse's "/t/" and "/c/": vocabulary, unless digits
  // ("192.168.1.1") or another script say otherwise.
  if (a.token_weight > 0) {
    info.dictionary_share = a.dict_weight / a.token_weight;
  } else {
    info.dictionary_share = a.non_ascii || a.digits > 0 ? 0.0f : 1.0f;
  }

  const bool long_random =
      t.size() >= 20 && a.base64_only && info.dictionary_share < 0.5f &&
      (a.digits > 0 || info.gibberish >= 0.5f || a.case_switches * 4 >= a.letters);
  if (a.control) {
    info.cls = SegmentClass::kToken;
  } else if (long_random) {
    info.cls = SegmentClass::kToken;
  } else if (a.unexplained_digits) {
    info.cls = SegmentClass::kMixed;
  } else if (a.letters >= 7 && a.dict_weight == 0 && info.gibberish >= 0.75f) {
    info.cls = SegmentClass::kToken;
  } else {
    info.cls = SegmentClass::kWord;
  }
  return info;
}

}  // namespace gatescope::classify
