#include "connector/secret_token_source.h"

#include <mutex>
#include <nlohmann/json.hpp>

namespace gatescope::connector {
namespace {

// A rotation is rare; a wrong secret must not turn every send into a Secrets Manager call.
constexpr std::chrono::minutes kMinRereadInterval{1};

class SecretBackedOAuth2 final : public delivery::TokenSource {
 public:
  SecretBackedOAuth2(delivery::OAuth2Options options, SecretFetcher fetch, env::HttpClient& http,
                     const Clock& clock)
      : options_(std::move(options)), fetch_(std::move(fetch)), http_(http), clock_(clock) {}

  Result<std::string> Token(std::chrono::steady_clock::time_point deadline) override {
    std::shared_ptr<delivery::TokenSource> inner;
    {
      std::lock_guard lock(mu_);
      if (inner_ == nullptr) {
        // First use: one read at a time (callers wait for it under the lock).
        if (Status s = ReloadLocked(); !s.ok()) return s;
      }
      inner = inner_;
    }
    Result<std::string> token = inner->Token(deadline);
    if (token.ok() || token.status().code() != StatusCode::kPermissionDenied) return token;
    {
      std::lock_guard lock(mu_);
      if (inner_ == inner) {
        // Nobody reloaded since: this caller reads the secret again, if allowed yet.
        auto now = clock_.MonotonicNow();
        if (now - last_read_ < kMinRereadInterval) return token;
        std::string before = secret_;
        if (Status s = ReloadLocked(); !s.ok()) {
          return token.status().WithContext("(re-reading the client secret failed too: " +
                                            std::string(s.message()) + ")");
        }
        if (secret_ == before) return token;  // Not rotated: the refusal stands.
      }
      inner = inner_;
    }
    return inner->Token(deadline);
  }

  void Invalidate(std::string_view token) override {
    std::shared_ptr<delivery::TokenSource> inner;
    {
      std::lock_guard lock(mu_);
      inner = inner_;
    }
    if (inner != nullptr) inner->Invalidate(token);
  }

  uint64_t fetches() const override {
    std::lock_guard lock(mu_);
    return retired_fetches_ + (inner_ == nullptr ? 0 : inner_->fetches());
  }

 private:
  // Reads the secret and, when it changed (or on first use), builds a new inner source.
  Status ReloadLocked() {
    last_read_ = clock_.MonotonicNow();
    Result<std::string> secret_string = fetch_();
    if (!secret_string.ok()) {
      return secret_string.status().WithContext("GATESCOPE_OAUTH_CLIENT_SECRET_ARN");
    }
    std::string secret = ClientSecretFromSecretString(*secret_string);
    if (secret.empty()) {
      return InvalidArgumentError("GATESCOPE_OAUTH_CLIENT_SECRET_ARN: the secret is empty");
    }
    if (inner_ != nullptr && secret == secret_) return Status::Ok();
    if (inner_ != nullptr) retired_fetches_ += inner_->fetches();
    secret_ = std::move(secret);
    delivery::OAuth2Options options = options_;
    options.client_secret = secret_;
    inner_ = delivery::NewOAuth2ClientCredentials(std::move(options), http_, clock_);
    return Status::Ok();
  }

  const delivery::OAuth2Options options_;
  const SecretFetcher fetch_;
  env::HttpClient& http_;
  const Clock& clock_;

  mutable std::mutex mu_;
  std::shared_ptr<delivery::TokenSource> inner_;  // Guarded by mu_; null until first use.
  std::string secret_;                            // Guarded by mu_.
  std::chrono::steady_clock::time_point last_read_{};  // Guarded by mu_.
  uint64_t retired_fetches_ = 0;                  // Guarded by mu_.
};

}  // namespace

std::string ClientSecretFromSecretString(std::string_view secret_string) {
  if (!secret_string.empty() && secret_string.front() == '{') {
    nlohmann::json j = nlohmann::json::parse(secret_string, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      auto it = j.find("client_secret");
      if (it != j.end() && it->is_string()) return it->get<std::string>();
    }
  }
  std::string out(secret_string);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::unique_ptr<delivery::TokenSource> NewSecretBackedOAuth2(delivery::OAuth2Options options,
                                                             SecretFetcher fetch,
                                                             env::HttpClient& http,
                                                             const Clock& clock) {
  return std::make_unique<SecretBackedOAuth2>(std::move(options), std::move(fetch), http, clock);
}

}  // namespace gatescope::connector
