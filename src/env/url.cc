#include "env/url.h"

#include <algorithm>
#include <charconv>

#include "core/ascii.h"

namespace gatescope::env {

std::string Url::HostHeader() const {
  const bool default_port = port == 0 || (scheme == "http" && port == 80) ||
                            (scheme == "https" && port == 443);
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!default_port) h += ":" + std::to_string(port);
  return h;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 as a dotted quad only: "127.0.0.1.example.com" is a name, resolved anywhere.
  if (!host.starts_with("127.")) return false;
  int octets = 0;
  for (size_t i = 0; i <= host.size();) {
    size_t end = host.find('.', i);
    if (end == std::string_view::npos) end = host.size();
    std::string_view octet = host.substr(i, end - i);
    if (octet.empty() || octet.size() > 3 ||
        !std::all_of(octet.begin(), octet.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(octet)) > 255) {
      return false;
    }
    ++octets;
    i = end + 1;
  }
  return octets == 4;
}

Result<Url> ParseUrl(std::string_view url) {
  Url out;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidArgumentError("URL has no scheme: " + std::string(url));
  }
  out.scheme = std::string(url.substr(0, scheme_end));
  LowerAsciiInPlace(out.scheme);
  if (out.scheme != "http" && out.scheme != "https") {
    return InvalidArgumentError("URL scheme is not http or https: " + std::string(url));
  }
  std::string_view rest = url.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) {
    return InvalidArgumentError("URL has a fragment: " + std::string(url));
  }
  const size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("URL has user info: " + std::string(url));
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgumentError("Bad IPv6 host: " + std::string(url));
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgumentError("Bad host: " + std::string(url));
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return InvalidArgumentError("URL has no host: " + std::string(url));
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return InvalidArgumentError("URL has a bad port: " + std::string(url));
    }
    out.port = static_cast<uint16_t>(value);
  }
  const size_t q = rest.find('?');
  out.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) out.query = std::string(rest.substr(q + 1));
  if (out.path.empty()) out.path = "/";
  return out;
}

namespace {

// Percent-encodes every byte but ALPHA, DIGIT, "-._" and the bytes of `also_kept`; a space
// becomes '+' when `space_as_plus`.
std::string PercentEncode(std::string_view s, std::string_view also_kept, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const bool kept = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' ||
                      also_kept.find(c) != std::string_view::npos;
    if (kept) {
      out.push_back(c);
    } else if (space_as_plus && c == ' ') {
      out.push_back('+');
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  return PercentEncode(s, keep_slash ? "~/" : "~", /*space_as_plus=*/false);
}

std::string FormUrlEncode(std::string_view s) {
  return PercentEncode(s, "*", /*space_as_plus=*/true);
}

std::string EncodeQuery(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += UriEncode(key);
    out.push_back('=');
    out += UriEncode(value);
  }
  return out;
}

}  // namespace gatescope::env
