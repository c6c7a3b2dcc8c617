#include "lambda/runtime_api_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <thread>

#include "core/ascii.h"
#include "core/logging.h"

namespace gatescope::lambda {
namespace {

// The Runtime API paths (LDG `runtimes-api.md`, version 2018-06-01).
constexpr std::string_view kNextPath = "/2018-06-01/runtime/invocation/next";
constexpr std::string_view kInvocationPrefix = "/2018-06-01/runtime/invocation/";
constexpr std::string_view kInitErrorPath = "/2018-06-01/runtime/init/error";

// A chunk-size line longer than this (hex digits plus extensions) is not a chunked body.
constexpr size_t kMaxChunkLineBytes = 1024;
constexpr size_t kReadChunkBytes = size_t{64} << 10;

std::string ErrnoText(int err) { return std::strerror(err); }

bool ParseUint64(std::string_view text, uint64_t max, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Calls `fn` on each comma-separated element of a header value, trimmed and lower-cased.
template <typename Fn>
void ForEachListElement(std::string_view value, Fn fn) {
  while (true) {
    size_t comma = value.find(',');
    std::string element(TrimAsciiSpace(value.substr(0, comma)));
    LowerAsciiInPlace(element);
    if (!element.empty()) fn(element);
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

// Request ids are UUIDs, but the id is echoed into the request path: percent-encode anything
// outside RFC 3986's unreserved set so that a hostile id cannot change the request.
std::string EncodePathSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (char c : segment) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

// A header value must not carry CR, LF or other control bytes (header injection).
std::string SanitizeHeaderValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) out.push_back(c);
  }
  return std::string(TrimAsciiSpace(out.substr(0, 1024)));
}

Status StatusFromHttp(std::string_view what, int status) {
  std::string text = std::string(what) + " answered HTTP " + std::to_string(status);
  switch (status) {
    case 500:
      // Reserved: kInternal from this client means exactly this answer (IsContainerError).
      return InternalError(text + ": container error, non-recoverable state");
    case 400:
    case 413:
      return InvalidArgumentError(text);
    case 403:
      return PermissionDeniedError(text);
    case 404:
      return NotFoundError(text);
    case 429:
      return ResourceExhaustedError(text);
    default:
      return UnavailableError(text);
  }
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  Logger::Get().Log(level, message, fields);
}

}  // namespace

std::string_view HttpMessage::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// HttpResponseParser

void HttpResponseParser::Reset() {
  state_ = State::kHead;
  started_ = false;
  buffer_.clear();
  pos_ = 0;
  remaining_ = 0;
  trailer_bytes_ = 0;
  message_ = HttpMessage();
}

Status HttpResponseParser::Fail(Status status) {
  state_ = State::kFailed;
  return status;
}

bool HttpResponseParser::NextLine(std::string_view* line) {
  size_t nl = buffer_.find('\n', pos_);
  if (nl == std::string::npos) return false;
  std::string_view view(buffer_.data() + pos_, nl - pos_);
  if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
  *line = view;
  pos_ = nl + 1;
  return true;
}

Status HttpResponseParser::Feed(std::string_view data) {
  if (state_ == State::kFailed) return ParseError("HTTP response parser used after an error");
  if (data.empty()) return Status::Ok();
  started_ = true;
  // Drop consumed bytes first so that a long body does not accumulate in buffer_.
  if (pos_ > 0 && (pos_ == buffer_.size() || pos_ >= kReadChunkBytes)) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(data);
  return Advance();
}

Status HttpResponseParser::Advance() {
  while (true) {
    switch (state_) {
      case State::kHead: {
        // Blank lines before the status line are tolerated (RFC 9112 section 2.2).
        while (pos_ < buffer_.size() && (buffer_[pos_] == '\r' || buffer_[pos_] == '\n')) ++pos_;
        size_t end = buffer_.find("\n\r\n", pos_);
        size_t end_lf = buffer_.find("\n\n", pos_);
        size_t head_end = std::string::npos;  // One past the blank line.
        if (end != std::string::npos) head_end = end + 3;
        if (end_lf != std::string::npos && end_lf + 2 < head_end) head_end = end_lf + 2;
        if (head_end == std::string::npos) {
          if (buffer_.size() - pos_ > kMaxHeaderBytes) {
            return Fail(ResourceExhaustedError("HTTP response header section over 64 KiB"));
          }
          return Status::Ok();
        }
        if (head_end - pos_ > kMaxHeaderBytes) {
          return Fail(ResourceExhaustedError("HTTP response header section over 64 KiB"));
        }
        std::string_view head(buffer_.data() + pos_, head_end - pos_);
        pos_ = head_end;
        Status status = ParseHead(head);
        if (!status.ok()) return Fail(status);
        break;
      }
      case State::kFixedBody: {
        size_t take = std::min(remaining_, buffer_.size() - pos_);
        message_.body.append(buffer_, pos_, take);
        pos_ += take;
        remaining_ -= take;
        if (remaining_ > 0) return Status::Ok();
        state_ = State::kDone;
        break;
      }
      case State::kChunkSize: {
        std::string_view line;
        if (!NextLine(&line)) {
          if (buffer_.size() - pos_ > kMaxChunkLineBytes) {
            return Fail(ParseError("HTTP chunk-size line too long"));
          }
          return Status::Ok();
        }
        if (line.size() > kMaxChunkLineBytes) {
          return Fail(ParseError("HTTP chunk-size line too long"));
        }
        std::string_view digits = line.substr(0, line.find(';'));
        digits = TrimAsciiSpace(digits);
        if (digits.empty() || digits.size() > 16) {
          return Fail(ParseError("malformed HTTP chunk size"));
        }
        uint64_t size = 0;
        for (char c : digits) {
          int v = HexDigitValue(c);
          if (v < 0) return Fail(ParseError("malformed HTTP chunk size"));
          size = size * 16 + static_cast<uint64_t>(v);
        }
        if (size > kMaxBodyBytes - message_.body.size()) {
          return Fail(ResourceExhaustedError("HTTP response body over the size limit"));
        }
        if (size == 0) {
          state_ = State::kTrailers;
        } else {
          remaining_ = static_cast<size_t>(size);
          state_ = State::kChunkData;
        }
        break;
      }
      case State::kChunkData: {
        size_t take = std::min(remaining_, buffer_.size() - pos_);
        message_.body.append(buffer_, pos_, take);
        pos_ += take;
        remaining_ -= take;
        if (remaining_ > 0) return Status::Ok();
        state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        std::string_view line;
        if (!NextLine(&line)) {
          if (buffer_.size() - pos_ > 2) return Fail(ParseError("HTTP chunk not followed by CRLF"));
          return Status::Ok();
        }
        if (!line.empty()) return Fail(ParseError("HTTP chunk not followed by CRLF"));
        state_ = State::kChunkSize;
        break;
      }
      case State::kTrailers: {
        std::string_view line;
        size_t before = pos_;
        if (!NextLine(&line)) {
          if (trailer_bytes_ + (buffer_.size() - pos_) > kMaxHeaderBytes) {
            return Fail(ResourceExhaustedError("HTTP trailer section over 64 KiB"));
          }
          return Status::Ok();
        }
        trailer_bytes_ += pos_ - before;
        if (trailer_bytes_ > kMaxHeaderBytes) {
          return Fail(ResourceExhaustedError("HTTP trailer section over 64 KiB"));
        }
        // Trailers (e.g. Lambda-Runtime-Function-Error-Type of streamed answers) are not used.
        if (line.empty()) state_ = State::kDone;
        break;
      }
      case State::kUntilEof: {
        size_t take = buffer_.size() - pos_;
        if (take > kMaxBodyBytes - message_.body.size()) {
          return Fail(ResourceExhaustedError("HTTP response body over the size limit"));
        }
        message_.body.append(buffer_, pos_, take);
        pos_ += take;
        return Status::Ok();
      }
      case State::kDone:
        return Status::Ok();
      case State::kFailed:
        return ParseError("HTTP response parser used after an error");
    }
  }
}

Status HttpResponseParser::ParseHead(std::string_view head) {
  message_ = HttpMessage();
  // Status line: HTTP/1.x SP 3DIGIT [SP reason].
  size_t nl = head.find('\n');
  std::string_view status_line = head.substr(0, nl);
  if (!status_line.empty() && status_line.back() == '\r') status_line.remove_suffix(1);
  head.remove_prefix(nl + 1);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[7] < '0' ||
      status_line[7] > '9' || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return ParseError("malformed HTTP status line");
  }
  int code = 0;
  for (size_t i = 9; i < 12; ++i) {
    char c = status_line[i];
    if (c < '0' || c > '9') return ParseError("malformed HTTP status code");
    code = code * 10 + (c - '0');
  }
  if (code < 100) return ParseError("malformed HTTP status code");
  const bool http10 = status_line[7] == '0';
  message_.status = code;

  // Header fields. The head ends with the blank line, which ends the loop.
  while (!head.empty()) {
    nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      // Obsolete line folding (RFC 9112 section 5.2): joins the previous value with a space.
      if (message_.headers.empty()) return ParseError("HTTP header continuation without header");
      message_.headers.back().second += ' ';
      message_.headers.back().second += TrimAsciiSpace(line);
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return ParseError("malformed HTTP header");
    std::string name(line.substr(0, colon));
    for (char c : name) {
      if (!IsTokenChar(c)) return ParseError("malformed HTTP header name");
    }
    LowerAsciiInPlace(name);
    message_.headers.emplace_back(std::move(name),
                                  std::string(TrimAsciiSpace(line.substr(colon + 1))));
    if (message_.headers.size() > 256) return ResourceExhaustedError("over 256 HTTP headers");
  }

  // Connection persistence (RFC 9112 section 9.3).
  bool close = false;
  bool keep_alive_token = false;
  bool chunked = false;
  bool has_transfer_encoding = false;
  bool has_length = false;
  uint64_t length = 0;
  for (const auto& [name, value] : message_.headers) {
    if (name == "connection") {
      ForEachListElement(value, [&](const std::string& token) {
        if (token == "close") close = true;
        if (token == "keep-alive") keep_alive_token = true;
      });
    } else if (name == "transfer-encoding") {
      has_transfer_encoding = true;
      // Chunked must be the final coding; any other final coding is delimited by EOF.
      chunked = false;
      ForEachListElement(value, [&](const std::string& token) { chunked = token == "chunked"; });
    } else if (name == "content-length") {
      Status bad;
      ForEachListElement(value, [&](const std::string& token) {
        uint64_t n = 0;
        if (!ParseUint64(token, UINT64_MAX, &n)) {
          bad = ParseError("malformed HTTP Content-Length");
        } else if (has_length && n != length) {
          bad = ParseError("conflicting HTTP Content-Length values");
        } else {
          has_length = true;
          length = n;
        }
      });
      GS_RETURN_IF_ERROR(bad);
      if (!has_length) return ParseError("malformed HTTP Content-Length");
    }
  }
  message_.keep_alive = !close && (!http10 || keep_alive_token);

  if (code >= 100 && code < 200) {
    if (code == 101) return ParseError("unexpected HTTP 101 Switching Protocols");
    // An interim response (100 Continue, 103 Early Hints): the real one follows.
    message_ = HttpMessage();
    state_ = State::kHead;
    return Status::Ok();
  }
  if (code == 204 || code == 304) {
    state_ = State::kDone;
  } else if (has_transfer_encoding) {
    state_ = chunked ? State::kChunkSize : State::kUntilEof;
  } else if (has_length) {
    if (length > kMaxBodyBytes) {
      return ResourceExhaustedError("HTTP response body over the size limit");
    }
    remaining_ = static_cast<size_t>(length);
    message_.body.reserve(remaining_);
    state_ = remaining_ == 0 ? State::kDone : State::kFixedBody;
  } else {
    state_ = State::kUntilEof;
  }
  if (state_ == State::kUntilEof) message_.keep_alive = false;
  return Status::Ok();
}

Status HttpResponseParser::FinishAtEof() {
  switch (state_) {
    case State::kDone:
      return Status::Ok();
    case State::kUntilEof:
      state_ = State::kDone;
      return Status::Ok();
    case State::kFailed:
      return ParseError("HTTP response parser used after an error");
    default:
      state_ = State::kFailed;
      return UnavailableError(started_ ? "connection closed in the middle of an HTTP response"
                                       : "connection closed before an HTTP response");
  }
}

Result<HttpMessage> ParseHttpResponse(std::string_view bytes) {
  HttpResponseParser parser;
  GS_RETURN_IF_ERROR(parser.Feed(bytes));
  if (!parser.done()) GS_RETURN_IF_ERROR(parser.FinishAtEof());
  return std::move(parser.message());
}

// ---------------------------------------------------------------------------------------------
// JSON error documents

void AppendJsonEscaped(std::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = 0;
  while (i < value.size()) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out->append("\\u00");
            out->push_back(kHex[c >> 4]);
            out->push_back(kHex[c & 15]);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, <= U+10FFFF) is
    // copied; any other byte becomes U+FFFD so that the document stays valid JSON.
    size_t len = 0;
    uint32_t min = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    }
    bool valid = len > 0 && i + len <= value.size();
    for (size_t k = 1; valid && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(value[i + k]);
      if ((cc & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (valid && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) valid = false;
    if (valid) {
      out->append(value.substr(i, len));
      i += len;
    } else {
      out->append("\xEF\xBF\xBD");
      ++i;
    }
  }
}

std::string ErrorDocument(std::string_view error_type, std::string_view message) {
  std::string out;
  out.reserve(message.size() + error_type.size() + 64);
  out.append("{\"errorMessage\":\"");
  AppendJsonEscaped(message, &out);
  out.append("\",\"errorType\":\"");
  AppendJsonEscaped(error_type, &out);
  out.append("\",\"stackTrace\":[]}");
  return out;
}

// ---------------------------------------------------------------------------------------------
// RuntimeApiClient

bool IsContainerError(const Status& status) { return status.code() == StatusCode::kInternal; }

Result<std::unique_ptr<RuntimeApiClient>> RuntimeApiClient::Create(std::string_view endpoint) {
  auto invalid = [&](std::string_view why) {
    return InvalidArgumentError("AWS_LAMBDA_RUNTIME_API \"" + std::string(endpoint.substr(0, 256)) +
                                "\" is not host:port (" + std::string(why) + ")");
  };
  std::string_view host;
  std::string_view port_text;
  if (!endpoint.empty() && endpoint.front() == '[') {
    size_t close = endpoint.find(']');
    if (close == std::string_view::npos || close + 1 >= endpoint.size() ||
        endpoint[close + 1] != ':') {
      return invalid("bad IPv6 address");
    }
    host = endpoint.substr(1, close - 1);
    port_text = endpoint.substr(close + 2);
    in6_addr addr;
    if (inet_pton(AF_INET6, std::string(host).c_str(), &addr) != 1) {
      return invalid("bad IPv6 address");
    }
  } else {
    size_t colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) return invalid("no port");
    host = endpoint.substr(0, colon);
    port_text = endpoint.substr(colon + 1);
    if (host.empty() || host.size() > 253) return invalid("no host");
    for (char c : host) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-' || c == '_';
      if (!ok) return invalid("bad host");
    }
  }
  uint64_t port = 0;
  if (port_text.size() > 5 || !ParseUint64(port_text, 65535, &port) || port == 0) {
    return invalid("bad port");
  }
  return std::unique_ptr<RuntimeApiClient>(
      new RuntimeApiClient(std::string(endpoint), std::string(host), static_cast<uint16_t>(port)));
}

RuntimeApiClient::RuntimeApiClient(std::string endpoint, std::string host, uint16_t port)
    : endpoint_(std::move(endpoint)), host_(std::move(host)), port_(port) {}

RuntimeApiClient::~RuntimeApiClient() { Disconnect(); }

void RuntimeApiClient::Disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status RuntimeApiClient::Connect() {
  Disconnect();
  // Literal addresses (the Runtime API is 127.0.0.1:9001) skip getaddrinfo and so NSS: no file
  // reads, no dlopen before the first request.
  sockaddr_storage literal{};
  socklen_t literal_len = 0;
  sockaddr_in* v4 = reinterpret_cast<sockaddr_in*>(&literal);
  sockaddr_in6* v6 = reinterpret_cast<sockaddr_in6*>(&literal);
  if (inet_pton(AF_INET, host_.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port_);
    literal_len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host_.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port_);
    literal_len = sizeof(sockaddr_in6);
  }
  std::vector<std::pair<sockaddr_storage, socklen_t>> addresses;
  if (literal_len > 0) {
    addresses.emplace_back(literal, literal_len);
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &found);
    if (rc != 0) {
      return UnavailableError("Cannot resolve the Runtime API host " + host_ + ": " +
                              gai_strerror(rc));
    }
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
      sockaddr_storage s{};
      std::memcpy(&s, a->ai_addr, a->ai_addrlen);
      addresses.emplace_back(s, a->ai_addrlen);
    }
    freeaddrinfo(found);
  }
  int last_error = ECONNREFUSED;
  for (const auto& [addr, len] : addresses) {
    int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    int rc;
    do {
      rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      last_error = errno;
      ::close(fd);
      continue;
    }
    // Requests are written whole; don't let Nagle hold the last segment back.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fd_ = fd;
    ++connections_opened_;
    return Status::Ok();
  }
  return UnavailableError("Cannot connect to the Runtime API at " + endpoint_ + ": " +
                          ErrnoText(last_error));
}

Result<HttpMessage> RuntimeApiClient::ExchangeOnce(std::string_view request_head,
                                                   std::string_view body, bool* nothing_received) {
  *nothing_received = true;
  // Write head and body with one sendmsg where possible (no copy of a 6 MB body).
  size_t head_sent = 0;
  size_t body_sent = 0;
  while (head_sent < request_head.size() || body_sent < body.size()) {
    iovec iov[2];
    int count = 0;
    if (head_sent < request_head.size()) {
      iov[count++] = {const_cast<char*>(request_head.data() + head_sent),
                      request_head.size() - head_sent};
    }
    if (body_sent < body.size()) {
      iov[count++] = {const_cast<char*>(body.data() + body_sent), body.size() - body_sent};
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
    // MSG_NOSIGNAL: a peer that closed must be an error, not SIGPIPE.
    ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return UnavailableError("Cannot send to the Runtime API at " + endpoint_ + ": " +
                              ErrnoText(errno));
    }
    size_t sent = static_cast<size_t>(n);
    size_t to_head = std::min(sent, request_head.size() - head_sent);
    head_sent += to_head;
    body_sent += sent - to_head;
  }

  parser_.Reset();
  if (read_buffer_.size() != kReadChunkBytes) read_buffer_.resize(kReadChunkBytes);
  while (!parser_.done()) {
    ssize_t n = ::recv(fd_, read_buffer_.data(), read_buffer_.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      *nothing_received = parser_.empty();
      return UnavailableError("Cannot read from the Runtime API at " + endpoint_ + ": " +
                              ErrnoText(errno));
    }
    if (n == 0) {
      *nothing_received = parser_.empty();
      Status status = parser_.FinishAtEof();
      if (!status.ok()) return status.WithContext("Runtime API at " + endpoint_);
      break;
    }
    *nothing_received = false;
    Status status = parser_.Feed(std::string_view(read_buffer_.data(), static_cast<size_t>(n)));
    if (!status.ok()) return status.WithContext("Runtime API at " + endpoint_);
  }
  HttpMessage message = std::move(parser_.message());
  // Bytes after the response mean the framing is not what we think: start afresh.
  if (!parser_.leftover().empty()) message.keep_alive = false;
  return message;
}

Result<HttpMessage> RuntimeApiClient::Exchange(std::string_view method, std::string_view path,
                                               std::string_view extra_headers,
                                               std::string_view body) {
  std::string head;
  head.reserve(160 + path.size() + extra_headers.size());
  head.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ");
  head.append(endpoint_).append("\r\nUser-Agent: gatescope\r\n");
  head.append(extra_headers);
  if (method != "GET") head.append("Content-Length: ").append(std::to_string(body.size()) + "\r\n");
  head.append("\r\n");

  for (int attempt = 0;; ++attempt) {
    const bool reused = fd_ >= 0;
    if (!reused) GS_RETURN_IF_ERROR(Connect());
    bool nothing_received = true;
    Result<HttpMessage> result = ExchangeOnce(head, body, &nothing_received);
    if (result.ok()) {
      if (!result->keep_alive) Disconnect();
      return result;
    }
    Disconnect();
    // A kept-alive connection the server closed while idle fails before any response byte:
    // send again once on a new connection. Anything else is reported.
    if (reused && nothing_received && attempt == 0 &&
        result.status().code() == StatusCode::kUnavailable) {
      continue;
    }
    return result.status();
  }
}

Result<Invocation> RuntimeApiClient::Next() {
  GS_ASSIGN_OR_RETURN(HttpMessage message, Exchange("GET", kNextPath, "", ""));
  if (message.status != 200) return StatusFromHttp("GET /runtime/invocation/next", message.status);
  Invocation invocation;
  invocation.request_id = std::string(message.Header("lambda-runtime-aws-request-id"));
  if (invocation.request_id.empty()) {
    return ParseError(
        "GET /runtime/invocation/next answered without Lambda-Runtime-Aws-Request-Id");
  }
  uint64_t deadline = 0;
  if (ParseUint64(message.Header("lambda-runtime-deadline-ms"), INT64_MAX, &deadline)) {
    invocation.deadline_ms = static_cast<int64_t>(deadline);
  }
  invocation.function_arn = std::string(message.Header("lambda-runtime-invoked-function-arn"));
  invocation.trace_id = std::string(message.Header("lambda-runtime-trace-id"));
  invocation.client_context = std::string(message.Header("lambda-runtime-client-context"));
  invocation.cognito_identity = std::string(message.Header("lambda-runtime-cognito-identity"));
  invocation.tenant_id = std::string(message.Header("lambda-runtime-aws-tenant-id"));
  invocation.body = std::move(message.body);
  // The X-Ray SDKs read the trace header from the environment (LDG `runtimes-custom.md`).
  // Never unsetenv: glibc's setenv replaces an existing entry's pointer in place, while unsetenv
  // shifts the array under concurrent getenv callers (libcurl reads proxy variables).
  if (export_trace_id_ && (!invocation.trace_id.empty() || std::getenv("_X_AMZN_TRACE_ID"))) {
    ::setenv("_X_AMZN_TRACE_ID", invocation.trace_id.c_str(), 1);
  }
  return invocation;
}

Status RuntimeApiClient::PostExpecting202(std::string_view what, std::string_view path,
                                          std::string_view extra_headers, std::string_view body) {
  GS_ASSIGN_OR_RETURN(HttpMessage message, Exchange("POST", path, extra_headers, body));
  // The documented answer is 202 Accepted; any 2xx is taken as accepted.
  if (message.status >= 200 && message.status < 300) return Status::Ok();
  return StatusFromHttp(what, message.status);
}

Status RuntimeApiClient::Respond(std::string_view request_id, std::string_view body) {
  return Respond(request_id, body, "");
}

Status RuntimeApiClient::Respond(std::string_view request_id, std::string_view body,
                                 std::string_view content_type) {
  std::string path(kInvocationPrefix);
  path.append(EncodePathSegment(request_id)).append("/response");
  std::string headers;
  if (!content_type.empty()) {
    headers = "Content-Type: " + SanitizeHeaderValue(content_type) + "\r\n";
  }
  return PostExpecting202("POST /runtime/invocation/{id}/response", path, headers, body);
}

Status RuntimeApiClient::ReportError(std::string_view request_id, std::string_view error_type,
                                     std::string_view message) {
  std::string path(kInvocationPrefix);
  path.append(EncodePathSegment(request_id)).append("/error");
  std::string headers = "Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: " +
                        SanitizeHeaderValue(error_type) + "\r\n";
  return PostExpecting202("POST /runtime/invocation/{id}/error", path, headers,
                          ErrorDocument(error_type, message));
}

Status RuntimeApiClient::ReportInitError(std::string_view error_type, std::string_view message) {
  std::string headers = "Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: " +
                        SanitizeHeaderValue(error_type) + "\r\n";
  return PostExpecting202("POST /runtime/init/error", kInitErrorPath, headers,
                          ErrorDocument(error_type, message));
}

// ---------------------------------------------------------------------------------------------
// The loop

namespace {

HandlerResult InvokeHandler(const Handler& handler, const Invocation& invocation) {
  // Our code throws nothing, but a handler that does must not take the runtime down with an
  // unreported invocation: Lambda would only see a crash.
  try {
    return handler(invocation);
  } catch (...) {
    return HandlerResult{.ok = false,
                         .error_type = "Runtime.UnknownReason",
                         .error_message = "The handler threw an exception."};
  }
}

}  // namespace

int RunLambdaLoop(RuntimeApiClient& client, const Handler& handler) {
  return RunLambdaLoop(client, handler, LoopOptions{});
}

int RunLambdaLoop(RuntimeApiClient& client, const Handler& handler, const LoopOptions& options) {
  int failures = 0;
  while (true) {
    Result<Invocation> invocation = client.Next();
    if (!invocation.ok()) {
      const Status& status = invocation.status();
      if (IsContainerError(status)) {
        Log(LogLevel::kError, "Runtime API reported a container error; exiting.",
            {{"error", status.message()}});
        return kExitContainerError;
      }
      ++failures;
      if (failures >= options.max_next_attempts) {
        Log(LogLevel::kError, "Runtime API unreachable; exiting.",
            {{"attempts", failures}, {"error", status.ToString()}});
        return kExitRuntimeApiGone;
      }
      Log(LogLevel::kWarning, "Runtime API next invocation failed; retrying.",
          {{"attempt", failures}, {"error", status.ToString()}});
      std::this_thread::sleep_for(options.retry_backoff * (1 << (failures - 1)));
      continue;
    }
    failures = 0;
    const std::string& request_id = invocation->request_id;
    HandlerResult result = InvokeHandler(handler, *invocation);
    Status status;
    if (result.ok) {
      status = client.Respond(request_id, result.body);
      if (!status.ok() && !IsContainerError(status) && status.code() != StatusCode::kUnavailable) {
        // Rejected (413 too large, 400): tell Lambda why instead of leaving it to time out.
        Log(LogLevel::kWarning, "Runtime API rejected the response.",
            {{"request_id", request_id}, {"error", status.ToString()}});
        status = client.ReportError(request_id, "Runtime.InvalidResponse",
                                    "The Runtime API rejected the response: " + status.message());
      }
    } else {
      std::string type = result.error_type.empty() ? "Runtime.UnknownReason" : result.error_type;
      Log(LogLevel::kWarning, "Invocation failed.",
          {{"request_id", request_id}, {"error_type", type}});
      status = client.ReportError(request_id, type, result.error_message);
    }
    if (!status.ok()) {
      if (IsContainerError(status)) {
        Log(LogLevel::kError, "Runtime API reported a container error; exiting.",
            {{"error", status.message()}});
        return kExitContainerError;
      }
      Log(LogLevel::kWarning, "Could not report the invocation outcome.",
          {{"request_id", request_id}, {"error", status.ToString()}});
    }
  }
}

}  // namespace gatescope::lambda
