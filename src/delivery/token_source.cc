#include "delivery/token_source.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "core/ascii.h"
#include "core/check.h"
#include "env/url.h"

namespace gatescope::delivery {
namespace {

constexpr std::chrono::seconds kDefaultExpiresIn{3600};
constexpr std::chrono::seconds kMaxExpiresIn{365LL * 24 * 3600};
// A token request never waits longer than this, whatever the caller's deadline.
constexpr std::chrono::milliseconds kMaxTokenRequestTimeout{30000};

// The token URL without query or fragment, for messages (a query could carry a secret).
std::string UrlForMessages(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

std::string Base64(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  GS_CHECK(n >= 0);
  out.resize(static_cast<size_t>(n));
  return out;
}

// expires_in as a number of seconds from a numeric string ("3600", " 3600 ", "3600.5").
std::optional<double> ParseNumericString(std::string_view s) {
  s = TrimAsciiSpace(s);
  if (s.empty()) return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::chrono::seconds ClampExpiresIn(double seconds) {
  if (!(seconds == seconds)) return kDefaultExpiresIn;  // NaN.
  if (seconds <= 0) return std::chrono::seconds(0);
  if (seconds >= static_cast<double>(kMaxExpiresIn.count())) return kMaxExpiresIn;
  return std::chrono::seconds(static_cast<int64_t>(seconds));
}

class StaticTokenSource final : public TokenSource {
 public:
  explicit StaticTokenSource(std::string token) : token_(std::move(token)) {}
  Result<std::string> Token(std::chrono::steady_clock::time_point) override { return token_; }
  void Invalidate(std::string_view) override {}
  uint64_t fetches() const override { return 0; }

 private:
  const std::string token_;
};

class OAuth2TokenSource final : public TokenSource {
 public:
  OAuth2TokenSource(OAuth2Options options, env::HttpClient& http, const Clock& clock)
      : options_(std::move(options)),
        url_for_messages_(UrlForMessages(options_.token_url)),
        http_(http),
        clock_(clock) {}

  Result<std::string> Token(std::chrono::steady_clock::time_point deadline) override {
    std::unique_lock lock(mu_);
    while (true) {
      if (!token_.empty() && clock_.MonotonicNow() < refresh_at_) return token_;
      if (!fetching_) break;
      // Single flight: wait for the fetch in progress and share its outcome.
      const uint64_t generation = generation_;
      while (fetching_) {
        const auto remaining = deadline - clock_.MonotonicNow();
        if (remaining <= std::chrono::steady_clock::duration::zero()) {
          return Status(StatusCode::kDeadlineExceeded,
                        "waiting for a token from " + url_for_messages_ + ": deadline passed");
        }
        // Short slices: the deadline is on the injected clock, the wait on the real one.
        cv_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                               remaining, std::chrono::milliseconds(100)));
      }
      if (generation_ != generation && !last_error_.ok()) {
        if (CachedStillValidLocked()) return token_;
        return last_error_;
      }
    }
    fetching_ = true;
    lock.unlock();
    const auto started = clock_.MonotonicNow();
    Result<ParsedToken> fetched = Fetch(deadline);
    lock.lock();
    fetching_ = false;
    ++generation_;
    cv_.notify_all();
    if (fetched.ok()) {
      fetches_.fetch_add(1, std::memory_order_relaxed);
      last_error_ = Status::Ok();
      token_ = std::move(fetched->access_token);
      // Measured from the request's start: the server's clock started no earlier.
      const auto lifetime = fetched->expires_in;
      expires_at_ = started + lifetime;
      refresh_at_ = expires_at_ - std::min<std::chrono::steady_clock::duration>(
                                      options_.refresh_skew, lifetime / 10);
      return token_;
    }
    last_error_ = fetched.status();
    if (CachedStillValidLocked()) return token_;
    return last_error_;
  }

  void Invalidate(std::string_view token) override {
    std::lock_guard lock(mu_);
    if (!token_.empty() && token_ == token) token_.clear();
  }

  uint64_t fetches() const override { return fetches_.load(std::memory_order_relaxed); }

 private:
  bool CachedStillValidLocked() const {
    return !token_.empty() && clock_.MonotonicNow() < expires_at_;
  }

  Result<ParsedToken> Fetch(std::chrono::steady_clock::time_point deadline) {
    const auto now = clock_.MonotonicNow();
    if (now >= deadline) {
      return Status(StatusCode::kDeadlineExceeded,
                    "token request to " + url_for_messages_ + ": deadline passed");
    }
    env::HttpRequest request;
    request.method = "POST";
    request.url = options_.token_url;
    request.timeout =
        std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                   std::chrono::milliseconds(1), kMaxTokenRequestTimeout);
    request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request.headers.push_back({"Accept", "application/json"});
    request.body = "grant_type=client_credentials";
    if (!options_.scope.empty()) request.body += "&scope=" + env::FormUrlEncode(options_.scope);
    if (!options_.audience.empty()) {
      request.body += "&audience=" + env::FormUrlEncode(options_.audience);
    }
    if (options_.auth_method == OAuth2Options::AuthMethod::kBasic) {
      request.headers.push_back(
          {"Authorization", "Basic " + Base64(env::FormUrlEncode(options_.client_id) + ":" +
                                              env::FormUrlEncode(options_.client_secret))});
    } else {
      request.body += "&client_id=" + env::FormUrlEncode(options_.client_id) +
                      "&client_secret=" + env::FormUrlEncode(options_.client_secret);
    }
    Result<env::HttpResponse> response = http_.Send(request);
    if (!response.ok()) {
      return response.status().WithContext("token request to " + url_for_messages_);
    }
    const int status = response->status;
    if (status >= 200 && status < 300) {
      Result<ParsedToken> parsed = ParseTokenResponse(response->body);
      if (!parsed.ok()) return parsed.status().WithContext("token endpoint " + url_for_messages_);
      return parsed;
    }
    const std::string http = "HTTP " + std::to_string(status);
    if (status == 400 || status == 401 || status == 403) {
      return PermissionDeniedError("token endpoint " + url_for_messages_ +
                                   " refused the client credentials: " + http + ", error " +
                                   ParseOAuthErrorCode(response->body));
    }
    if (status == 408 || status == 429 || status >= 500) {
      return UnavailableError("token endpoint " + url_for_messages_ + " answered " + http);
    }
    return InvalidArgumentError("token endpoint " + url_for_messages_ + " answered " + http +
                                "; check the token URL");
  }

  const OAuth2Options options_;
  const std::string url_for_messages_;
  env::HttpClient& http_;
  const Clock& clock_;
  std::atomic<uint64_t> fetches_{0};

  std::mutex mu_;
  std::condition_variable cv_;
  std::string token_;                                 // Guarded by mu_; empty when none is cached.
  std::chrono::steady_clock::time_point expires_at_;  // Guarded by mu_.
  std::chrono::steady_clock::time_point refresh_at_;  // Guarded by mu_.
  bool fetching_ = false;                             // Guarded by mu_.
  uint64_t generation_ = 0;  // Guarded by mu_; fetches finished, failed or not.
  Status last_error_;        // Guarded by mu_; the last fetch's failure, or ok.
};

}  // namespace

std::unique_ptr<TokenSource> NewStaticTokenSource(std::string token) {
  return std::make_unique<StaticTokenSource>(std::move(token));
}

std::unique_ptr<TokenSource> NewOAuth2ClientCredentials(OAuth2Options options,
                                                        env::HttpClient& http, const Clock& clock) {
  return std::make_unique<OAuth2TokenSource>(std::move(options), http, clock);
}

Result<ParsedToken> ParseTokenResponse(std::string_view body) {
  // No exceptions: parse errors give a "discarded" value.
  const nlohmann::json json = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return ParseError("token response is not a JSON object");
  }
  ParsedToken token;
  const auto access = json.find("access_token");
  if (access == json.end() || !access->is_string() ||
      access->get_ref<const std::string&>().empty()) {
    return ParseError("token response has no access_token");
  }
  token.access_token = access->get<std::string>();
  if (const auto type = json.find("token_type"); type != json.end() && type->is_string()) {
    token.token_type = type->get<std::string>();
  }
  if (const auto expires = json.find("expires_in"); expires != json.end()) {
    if (expires->is_number()) {
      token.expires_in = ClampExpiresIn(expires->get<double>());
    } else if (expires->is_string()) {
      const std::optional<double> seconds =
          ParseNumericString(expires->get_ref<const std::string&>());
      if (seconds.has_value()) token.expires_in = ClampExpiresIn(*seconds);
    }
  }
  return token;
}

std::string ParseOAuthErrorCode(std::string_view body) {
  const nlohmann::json json = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) return "unknown";
  const auto error = json.find("error");
  if (error == json.end() || !error->is_string()) return "unknown";
  const std::string& code = error->get_ref<const std::string&>();
  if (code.empty() || code.size() > 64) return "unknown";
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return "unknown";
  }
  return code;
}

}  // namespace gatescope::delivery
