#include "connector/lambda_handler.h"

#include <unistd.h>

#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "aws/aws_environment.h"
#include "connector/aws_access.h"
#include "connector/pull_runner.h"
#include "connector/secret_token_source.h"
#include "core/logging.h"
#include "delivery/spill_store.h"
#include "env/byte_source.h"
#include "env/http_client.h"
#include "sources/checkpoint_store.h"

namespace gatescope::connector {
namespace {

using Steady = std::chrono::steady_clock;

// Control events are tiny; a larger one is no control event, and is not parsed whole.
constexpr size_t kMaxControlEventBytes = 4096;

// The CA bundle to trust. Debian's libcurl looks for /etc/ssl/certs/ca-certificates.crt, which
// Amazon Linux 2023 (Lambda's provided.al2023) does not have; its bundle is elsewhere.
std::string CaFile(const std::string& configured, const std::map<std::string, std::string>& env) {
  if (!configured.empty()) return configured;
  if (auto it = env.find("AWS_CA_BUNDLE"); it != env.end() && !it->second.empty()) {
    return it->second;
  }
  constexpr const char* kDebian = "/etc/ssl/certs/ca-certificates.crt";
  constexpr const char* kAmazonLinux = "/etc/pki/tls/certs/ca-bundle.crt";
  if (::access(kDebian, R_OK) != 0 && ::access(kAmazonLinux, R_OK) == 0) return kAmazonLinux;
  return {};
}

}  // namespace

struct ConnectorHost::Impl {
  ConnectorConfig config;
  Clock& clock;
  std::unique_ptr<env::HttpClient> http;
  std::unique_ptr<AwsAccess> aws;
  std::unique_ptr<delivery::TokenSource> tokens;
  std::unique_ptr<delivery::CollectorHttpSink> sink;
  std::unique_ptr<delivery::SpillStore> spill;
  std::unique_ptr<sources::CheckpointStore> checkpoints;
  std::unique_ptr<Connector> connector;
  std::unique_ptr<PullRunner> pull;

  std::mutex apis_mu;
  std::optional<std::vector<ApiStageRef>> apis;  // Guarded by apis_mu; the unfiltered list.
  std::string function_arn;

  Impl(ConnectorConfig c, Clock& cl) : config(std::move(c)), clock(cl) {}
};

ConnectorHost::ConnectorHost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConnectorHost::~ConnectorHost() = default;

Result<std::unique_ptr<ConnectorHost>> ConnectorHost::Create(
    const std::map<std::string, std::string>& env, Clock& clock) {
  GS_ASSIGN_OR_RETURN(ConnectorConfig config, LoadConnectorConfig(env));
  auto impl = std::make_unique<Impl>(std::move(config), clock);
  const ConnectorConfig& c = impl->config;
  Logger::Get().SetLevel(c.log_level);
  if (!c.verify_tls) {
    GS_LOG(kWarning, "TLS verification is OFF (GATESCOPE_INSECURE_SKIP_TLS_VERIFY): batches and "
                     "tokens can be intercepted. Never use this in production.", {});
  }
  impl->http = env::NewCurlHttpClient({.request_timeout = c.collector.request_timeout,
                                       .verify_tls = c.verify_tls,
                                       .ca_file = CaFile(c.ca_file, env)});
  impl->aws = std::make_unique<AwsAccess>(aws::AwsEnvironment::FromMap(env), *impl->http, clock);
  switch (c.auth) {
    case AuthMode::kOAuth2:
      if (!c.oauth_client_secret_arn.empty()) {
        // Read on first use, through the same AWS credentials as every other call.
        AwsAccess* aws = impl->aws.get();
        std::string arn = c.oauth_client_secret_arn;
        impl->tokens = NewSecretBackedOAuth2(
            c.oauth2,
            [aws, arn]() -> Result<std::string> {
              GS_ASSIGN_OR_RETURN(aws::SecretValue value,
                                  aws->SecretsManager(aws::SecretArnRegion(arn)).GetSecretValue(arn));
              return std::move(value.secret_string);
            },
            *impl->http, clock);
      } else {
        impl->tokens = delivery::NewOAuth2ClientCredentials(c.oauth2, *impl->http, clock);
      }
      break;
    case AuthMode::kStaticToken:
      impl->tokens = delivery::NewStaticTokenSource(c.static_token);
      break;
    case AuthMode::kNone:
      break;
  }
  impl->sink = std::make_unique<delivery::CollectorHttpSink>(
      c.collector, *impl->http, impl->tokens.get(), clock, aws::RealSleeper());
  std::string region;
  if (Result<std::string> r = impl->aws->DefaultRegion(); r.ok()) region = *r;
  auto needs_region = [&](std::string_view name) -> Status {
    if (!region.empty()) return Status::Ok();
    return InvalidArgumentError(std::string(name) + ": an s3:// location needs AWS_REGION");
  };
  if (c.spill.s3()) {
    GS_RETURN_IF_ERROR(needs_region("GATESCOPE_SPILL"));
    impl->spill = delivery::NewS3SpillStore(impl->aws->S3(region), c.spill.bucket, c.spill.prefix,
                                            clock);
  } else if (!c.spill.empty()) {
    impl->spill = delivery::NewDirSpillStore(c.spill.dir, clock);
  }
  if (c.apis_s3.s3()) GS_RETURN_IF_ERROR(needs_region("GATESCOPE_APIS"));
  if (c.checkpoint.s3()) {
    GS_RETURN_IF_ERROR(needs_region("GATESCOPE_CHECKPOINT"));
    impl->checkpoints = sources::NewS3CheckpointStore(impl->aws->S3(region), c.checkpoint.bucket,
                                                      c.checkpoint.prefix);
  } else if (!c.checkpoint.empty()) {
    impl->checkpoints = sources::NewFileCheckpointStore(c.checkpoint.dir);
  }
  GS_ASSIGN_OR_RETURN(impl->connector, Connector::Create(c, *impl->sink, impl->spill.get(),
                                                         impl->tokens.get(), clock));
  bool pulls = impl->checkpoints != nullptr;
  auto host = std::unique_ptr<ConnectorHost>(new ConnectorHost(std::move(impl)));
  if (pulls) {
    // The runner reads the API list through the host (S3, account filter) when it rescopes.
    ConnectorHost* self = host.get();
    host->impl_->pull = std::make_unique<PullRunner>(
        *self->impl_->connector, *self->impl_->aws, *self->impl_->checkpoints, clock,
        [self]() { return self->Apis(/*reload=*/false); });
  }
  return host;
}

void ConnectorHost::SetFunctionArn(std::string_view arn) {
  if (arn.empty()) return;
  impl_->function_arn = UnqualifiedFunctionArn(arn);
  impl_->aws->SetAccountId(AccountOfArn(arn));
}

const std::string& ConnectorHost::function_arn() const { return impl_->function_arn; }

Result<std::vector<ApiStageRef>> ConnectorHost::Apis(bool reload) {
  const ConnectorConfig& c = impl_->config;
  std::vector<ApiStageRef> all;
  if (!c.apis_s3.s3()) {
    all = c.apis;
  } else {
    std::lock_guard lock(impl_->apis_mu);
    if (reload || !impl_->apis.has_value()) {
      std::string where = "GATESCOPE_APIS s3://" + c.apis_s3.bucket + "/" + c.apis_s3.prefix;
      Result<std::string> region = impl_->aws->DefaultRegion();
      if (!region.ok()) return region.status().WithContext(where);
      Result<std::string> text = impl_->aws->S3(*region).GetObject(c.apis_s3.bucket,
                                                                   c.apis_s3.prefix);
      if (!text.ok()) return text.status().WithContext(where);
      GS_ASSIGN_OR_RETURN(impl_->apis, ParseApiListJson(where, *text));
    }
    all = *impl_->apis;
  }
  // STS is asked (once) only when some item names an account and no function ARN gave it.
  bool named = std::any_of(all.begin(), all.end(),
                           [](const ApiStageRef& r) { return !r.account_id.empty(); });
  if (!named) return all;
  std::string problem;
  std::string account = impl_->aws->AccountId(&problem);
  std::vector<std::string> warnings;
  std::vector<ApiStageRef> mine = FilterApisForAccount(all, account, &warnings);
  for (const std::string& w : warnings) {
    GS_LOG(kWarning, "API list.", {{"detail", w}, {"why", problem}});
  }
  return mine;
}

RefreshSummary ConnectorHost::RunRefresh() {
  RefreshSummary summary;
  Result<std::vector<ApiStageRef>> apis = Apis(/*reload=*/true);
  if (!apis.ok()) {
    summary.Fail("apis_list_failed", std::string(apis.status().message()));
    return summary;
  }
  RefreshOptions options{.function_arn = impl_->function_arn};
  // The list is already this account's; the account is only needed for an ARN to build.
  if (!options.function_arn.empty()) options.account_id = AccountOfArn(options.function_arn);
  return connector::RunRefresh(impl_->config, *apis, *impl_->aws, options);
}

const ConnectorConfig& ConnectorHost::config() const { return impl_->config; }

RunSummary ConnectorHost::RunPush(std::string_view event, Steady::time_point deadline) {
  std::unique_ptr<ConnectorRun> run = impl_->connector->StartRun("push", deadline);
  if (Status s = run->AddInput(std::make_unique<env::MemoryByteSource>(event)); !s.ok()) {
    // The decoder counted what it could not read; a retry would read the same bytes.
    GS_LOG(kWarning, "Event not fully decoded.", {{"error", s.message()}});
  }
  return run->Finish();
}

RunSummary ConnectorHost::RunFiles(const std::vector<std::string>& paths,
                                   Steady::time_point deadline,
                                   std::vector<model::HttpTransaction>* capture) {
  std::unique_ptr<ConnectorRun> run = impl_->connector->StartRun("file", deadline);
  run->CaptureTo(capture);
  std::string errors;
  for (const std::string& path : paths) {
    Result<std::unique_ptr<env::ByteSource>> file = env::OpenFile(path);
    Status s = file.ok() ? run->AddInput(std::move(*file)) : file.status();
    if (!s.ok()) errors += (errors.empty() ? "" : "; ") + path + ": " + std::string(s.message());
  }
  RunSummary summary = run->Finish();
  if (summary.error.empty() && !errors.empty()) summary.error = errors;
  return summary;
}

RunSummary ConnectorHost::RunPull(Steady::time_point deadline) {
  if (impl_->pull == nullptr) {
    RunSummary summary;
    summary.mode = "pull";
    summary.error = "GATESCOPE_CHECKPOINT: required for scheduled pulls (s3://bucket/prefix or a "
                    "directory)";
    return summary;
  }
  return impl_->pull->RunOnce(deadline);
}

RunSummary ConnectorHost::Replay(Steady::time_point deadline) {
  return impl_->connector->ReplaySpilled(deadline);
}

void ConnectorHost::Stop() { impl_->sink->Stop(); }

EventKind ClassifyEvent(std::string_view event) {
  // A subscription delivers {"awslogs": {"data": ...}}: found without parsing megabytes.
  if (event.substr(0, 256).find("\"awslogs\"") != std::string_view::npos) return EventKind::kPush;
  if (event.size() > kMaxControlEventBytes) return EventKind::kPull;
  nlohmann::json j = nlohmann::json::parse(event, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto it = j.find("gatescope");
    if (it != j.end() && it->is_string() && it->get_ref<const std::string&>() == "refresh") {
      return EventKind::kRefresh;
    }
  }
  return EventKind::kPull;
}

lambda::HandlerResult HandleInvocation(ConnectorHost& host, const lambda::Invocation& invocation,
                                       const Clock& clock, std::ostream& log) {
  host.SetFunctionArn(invocation.function_arn);
  EventKind kind = ClassifyEvent(invocation.body);
  if (kind == EventKind::kRefresh) {
    // A refresh's problems are in its summary; failing the invocation would only make the
    // scheduler retry what the next scheduled refresh does anyway.
    std::string line = RefreshSummaryToEmf(host.RunRefresh(), "lambda", UnixMillis(clock));
    log << line << '\n' << std::flush;
    lambda::HandlerResult result;
    result.body = std::move(line);
    return result;
  }
  // The invocation's deadline in wall-clock ms, as a point on the monotonic clock.
  int64_t remaining_ms = invocation.deadline_ms - UnixMillis(clock);
  Steady::time_point deadline = clock.MonotonicNow() + std::chrono::milliseconds(remaining_ms);
  bool push = kind == EventKind::kPush;
  RunSummary summary = push ? host.RunPush(invocation.body, deadline) : host.RunPull(deadline);
  std::string line = RunSummaryToEmf(summary, "lambda", UnixMillis(clock));
  log << line << '\n' << std::flush;
  lambda::HandlerResult result;
  if (push && summary.events_failed > 0) {
    result.ok = false;
    result.error_type = "Gatescope.DeliveryFailed";
    result.error_message = summary.error;
    return result;
  }
  result.body = std::move(line);
  return result;
}

int RunLambdaRuntime(const std::map<std::string, std::string>& env, Clock& clock) {
  auto api = env.find("AWS_LAMBDA_RUNTIME_API");
  if (api == env.end() || api->second.empty()) {
    std::cerr << "bootstrap: AWS_LAMBDA_RUNTIME_API is not set: not running in Lambda\n";
    return 2;
  }
  Result<std::unique_ptr<lambda::RuntimeApiClient>> client =
      lambda::RuntimeApiClient::Create(api->second);
  if (!client.ok()) {
    std::cerr << "bootstrap: AWS_LAMBDA_RUNTIME_API: " << client.status().message() << '\n';
    return 2;
  }
  Result<std::unique_ptr<ConnectorHost>> host = ConnectorHost::Create(env, clock);
  if (!host.ok()) {
    std::cerr << "bootstrap: " << host.status().message() << '\n';
    (void)(*client)->ReportInitError("Gatescope.InvalidConfiguration", host.status().message());
    return 2;
  }
  return lambda::RunLambdaLoop(**client, [&](const lambda::Invocation& invocation) {
    return HandleInvocation(**host, invocation, clock, std::cout);
  });
}

}  // namespace gatescope::connector
