# shellcheck shell=bash
# shellcheck disable=SC2034  # the GS_* globals set here are read by the scripts that source it
# Shared by enable.sh, disable.sh and destroy.sh (docs/specs/deployment.md). Sourced, not run.
#
# The scripts never `source` the operator's .env: `gatescope config check --format shell`
# parses and validates it (one parser for the checker and the scripts) and prints normalised
# GS_* assignments, which gs_load_env evaluates. A bad .env therefore stops in gs_load_env,
# before any AWS call.

set -euo pipefail

GS_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GS_REPO_DIR="$(cd "$GS_SCRIPTS_DIR/../.." && pwd)"
GS_TEMPLATE="$GS_REPO_DIR/deploy/cloudformation/connector.yaml"
GS_WAIT_SECONDS="${GATESCOPE_WAIT_SECONDS:-3600}"  # longest wait for one StackSet operation
GS_POLL_SECONDS="${GATESCOPE_POLL_SECONDS:-10}"

gs_log() { printf '==> %s\n' "$*" >&2; }
gs_die() { printf 'gatescope: %s\n' "$*" >&2; exit 1; }

# The gatescope binary: $GATESCOPE_BIN, else on PATH, else the README's build directory.
gs_find_binary() {
  if [[ -n "${GATESCOPE_BIN:-}" ]]; then echo "$GATESCOPE_BIN"; return; fi
  if command -v gatescope >/dev/null 2>&1; then command -v gatescope; return; fi
  local built="$GS_REPO_DIR/build/apps/gatescope"
  [[ -x "$built" ]] || gs_die "no gatescope binary: set GATESCOPE_BIN, put it on PATH or build it (README)"
  echo "$built"
}

# Common flags: --env FILE, --yes. Others are left in GS_ARGS for the caller.
gs_parse_common_args() {
  GS_ENV_FILE=".env"
  GS_YES=false
  GS_ARGS=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --env) [[ $# -ge 2 ]] || gs_die "--env needs a file"; GS_ENV_FILE="$2"; shift 2 ;;
      --yes|-y) GS_YES=true; shift ;;
      *) GS_ARGS+=("$1"); shift ;;
    esac
  done
}

# Validates the .env (offline first, then the regions against the account) and loads GS_*.
gs_load_env() {
  local bin out
  bin="$(gs_find_binary)"
  [[ -f "$GS_ENV_FILE" ]] || gs_die "$GS_ENV_FILE: no such file (copy deploy/.env.example)"
  command -v aws >/dev/null 2>&1 || gs_die "the AWS CLI (aws) is not installed"
  command -v jq >/dev/null 2>&1 || gs_die "jq is not installed"
  gs_log "Checking $GS_ENV_FILE."
  # config check prints its problems itself; it makes no AWS call unless the file is clean.
  out="$("$bin" config check --env "$GS_ENV_FILE" --aws --format shell)" ||
    gs_die "$GS_ENV_FILE is not valid (problems above); nothing was changed"
  eval "$out"
  export AWS_DEFAULT_REGION="$GS_PREFERRED_REGION"
  GS_ADMIN_ACCOUNT="$(aws sts get-caller-identity --query Account --output text)" ||
    gs_die "the AWS CLI has no working credentials (aws sts get-caller-identity failed)"
  GS_PARTITION="$(aws sts get-caller-identity --query Arn --output text | cut -d: -f2)"
  if [[ -z "$GS_BUCKET_PREFIX" ]]; then GS_BUCKET_PREFIX="gatescope-$GS_ADMIN_ACCOUNT"; fi
  read -r -a GS_REGION_LIST <<<"$GS_REGIONS"
  [[ ${#GS_REGION_LIST[@]} -gt 0 ]] || gs_die "no region in scope"
  if [[ "$GS_ORGANIZATION_DEPLOYMENT" == true ]]; then
    GS_PERMISSION_MODEL=SERVICE_MANAGED
  else
    GS_PERMISSION_MODEL=SELF_MANAGED
    if [[ -z "$GS_ACCOUNTS" ]]; then GS_ACCOUNTS="$GS_ADMIN_ACCOUNT"; fi
  fi
  read -r -a GS_ACCOUNT_LIST <<<"$GS_ACCOUNTS"
}

gs_bucket() { echo "$GS_BUCKET_PREFIX-$1"; }

# Asks before a change unless --yes or the matching auto-confirm setting is on. Without a
# terminal there is nobody to ask: stop rather than guess.
gs_confirm() {
  local question="$1" auto="$2" answer
  if [[ "$GS_YES" == true || "$auto" == true ]]; then return 0; fi
  [[ -t 0 ]] || gs_die "$question: not confirmed (no terminal; pass --yes or set the auto-confirm setting)"
  read -r -p "$question [y/N] " answer
  [[ "$answer" == y || "$answer" == Y || "$answer" == yes ]] || gs_die "stopped: not confirmed"
}

gs_stackset_exists() {
  aws cloudformation describe-stack-set --stack-set-name "$GS_STACKSET_NAME" \
    "${GS_CALL_AS_ARGS[@]}" >/dev/null 2>&1
}

# --call-as only means something for service-managed StackSets.
gs_call_as_args() {
  GS_CALL_AS_ARGS=()
  if [[ "$GS_PERMISSION_MODEL" == SERVICE_MANAGED && "$GS_CALL_AS" != SELF ]]; then
    GS_CALL_AS_ARGS=(--call-as "$GS_CALL_AS")
  fi
}

# The OU ids to target: `root` and `all` mean the organization's root.
gs_resolve_ous() {
  GS_OU_IDS=()
  local ou
  for ou in $GS_ORGANIZATIONAL_UNITS; do
    case "$ou" in
      root|all) GS_OU_IDS+=("$(aws organizations list-roots --query 'Roots[0].Id' --output text)") ;;
      *) GS_OU_IDS+=("$ou") ;;
    esac
  done
  [[ ${#GS_OU_IDS[@]} -gt 0 ]] || gs_die "no organizational unit in scope"
}

# --deployment-targets for service-managed operations (OUs, then the account filter).
gs_deployment_targets() {
  local targets
  targets="$(jq -cn --arg ous "${GS_OU_IDS[*]}" --arg accts "$GS_ACCOUNT_FILTER" \
      --arg type "$GS_ACCOUNT_FILTER_TYPE" '
    {OrganizationalUnitIds: ($ous | split(" ") | map(select(. != "")))}
    + (if ($accts | length) > 0 then
         {Accounts: ($accts | split(" ") | map(select(. != ""))), AccountFilterType: $type}
       else {} end)')"
  echo "$targets"
}

gs_operation_preferences() {
  jq -cn --arg mode "$GS_CONCURRENCY_MODE" --arg rc "$GS_REGION_CONCURRENCY" \
      --argjson mc "$GS_MAX_CONCURRENT_PERCENTAGE" --argjson ft "$GS_FAILURE_TOLERANCE_PERCENTAGE" \
      '{RegionConcurrencyType: $rc, MaxConcurrentPercentage: $mc,
        FailureTolerancePercentage: $ft, ConcurrencyMode: $mode}'
}

# Waits for one StackSet operation; fails on anything but SUCCEEDED.
gs_wait_operation() {
  local op="$1" what="$2" status="" waited=0
  [[ -n "$op" && "$op" != None ]] || gs_die "$what: no operation id returned"
  while :; do
    status="$(aws cloudformation describe-stack-set-operation --stack-set-name "$GS_STACKSET_NAME" \
      --operation-id "$op" "${GS_CALL_AS_ARGS[@]}" --query StackSetOperation.Status --output text)"
    case "$status" in
      RUNNING|QUEUED|STOPPING) ;;
      *) break ;;
    esac
    ((waited >= GS_WAIT_SECONDS)) && gs_die "$what: operation $op still $status after ${waited}s"
    sleep "$GS_POLL_SECONDS"; waited=$((waited + GS_POLL_SECONDS))
  done
  gs_log "$what: operation $op $status."
  if [[ "$status" != SUCCEEDED ]]; then
    aws cloudformation list-stack-set-operation-results --stack-set-name "$GS_STACKSET_NAME" \
      --operation-id "$op" "${GS_CALL_AS_ARGS[@]}" \
      --query 'Summaries[].[Account,Region,Status,StatusReason]' --output text >&2 || true
    return 1
  fi
}

# Prints every instance (account, region, status, detailed status, reason) and fails when any
# is not CURRENT and SUCCEEDED. A StackSet operation can report SUCCEEDED with failed
# instances (failure tolerance), so this check, not the operation's status, decides.
gs_report_instances() {
  local rows bad
  rows="$(aws cloudformation list-stack-instances --stack-set-name "$GS_STACKSET_NAME" \
    "${GS_CALL_AS_ARGS[@]}" --output json | jq -r '.Summaries[] |
      [.Account, .Region, .Status, (.StackInstanceStatus.DetailedStatus // "-"),
       (.StatusReason // "-")] | @tsv')"
  {
    printf 'ACCOUNT\tREGION\tSTATUS\tDETAILED\tREASON\n'
    [[ -z "$rows" ]] || printf '%s\n' "$rows"
  } | column -t -s $'\t' >&2
  bad="$(printf '%s\n' "$rows" | awk -F'\t' 'NF && ($3 != "CURRENT" || $4 != "SUCCEEDED")' | wc -l)"
  if ((bad > 0)); then
    gs_die "$bad stack instance(s) did not succeed (see above)"
  fi
  GS_INSTANCE_ROWS="$rows"
}

# (account, region) pairs of the StackSet's instances, one "account region" per line.
gs_instance_pairs() {
  aws cloudformation list-stack-instances --stack-set-name "$GS_STACKSET_NAME" \
    "${GS_CALL_AS_ARGS[@]}" --output json | jq -r '.Summaries[] | "\(.Account) \(.Region)"'
}

# Deletes instances in REGIONS (all of the StackSet's when none are given) and waits.
gs_delete_instances() {
  local regions=("$@") op accounts
  if [[ ${#regions[@]} -eq 0 ]]; then
    mapfile -t regions < <(gs_instance_pairs | awk '{print $2}' | sort -u)
  fi
  [[ ${#regions[@]} -gt 0 ]] || { gs_log "No stack instances to delete."; return 0; }
  gs_log "Deleting stack instances in ${regions[*]}."
  if [[ "$GS_PERMISSION_MODEL" == SERVICE_MANAGED ]]; then
    gs_resolve_ous
    op="$(aws cloudformation delete-stack-instances --stack-set-name "$GS_STACKSET_NAME" \
      "${GS_CALL_AS_ARGS[@]}" --deployment-targets "$(jq -cn --arg ous "${GS_OU_IDS[*]}" \
        '{OrganizationalUnitIds: ($ous | split(" "))}')" \
      --regions "${regions[@]}" --no-retain-stacks \
      --operation-preferences "$(gs_operation_preferences)" --query OperationId --output text)"
  else
    mapfile -t accounts < <(gs_instance_pairs | awk '{print $1}' | sort -u)
    op="$(aws cloudformation delete-stack-instances --stack-set-name "$GS_STACKSET_NAME" \
      --accounts "${accounts[@]}" --regions "${regions[@]}" --no-retain-stacks \
      --operation-preferences "$(gs_operation_preferences)" --query OperationId --output text)"
  fi
  gs_wait_operation "$op" "delete stack instances" || gs_die "deleting stack instances failed"
}

# connector.yaml's parameters and the GS_* setting each takes its value from. The test
# tests/deploy_scripts checks that this list and the template's parameters are the same set.
GS_PARAMETER_MAP=(
  ArtifactBucketPrefix:GS_BUCKET_PREFIX
  LambdaZipKey:GS_LAMBDA_ZIP_KEY
  ApisKey:GS_APIS_KEY
  CollectorUrl:GS_COLLECTOR_URL
  AuthMode:GS_AUTH
  OAuthTokenUrl:GS_OAUTH_TOKEN_URL
  OAuthClientId:GS_OAUTH_CLIENT_ID
  OAuthClientSecret:GS_OAUTH_CLIENT_SECRET
  OAuthScope:GS_OAUTH_SCOPE
  RestEnabled:GS_REST_ENABLED
  HttpEnabled:GS_HTTP_ENABLED
  Discover:GS_DISCOVER
  RestExecutionLogsExist:GS_REST_EXECUTION_LOGS_EXIST
  HttpAccessLogsExist:GS_HTTP_ACCESS_LOGS_EXIST
  HttpAccessLogGroupName:GS_HTTP_ACCESS_LOG_GROUP
  EnableDefaultStageLogging:GS_ENABLE_DEFAULT_STAGE_LOGGING
  Collection:GS_COLLECTION
  PullSchedule:GS_PULL_SCHEDULE
  RefreshSchedule:GS_REFRESH_SCHEDULE
  LogRetentionDays:GS_LOG_RETENTION_DAYS
  LogLevel:GS_LOG_LEVEL
  ContentTypeRegex:GS_CONTENT_TYPE_REGEX
  StaticFileRegex:GS_STATIC_FILE_REGEX
  LambdaArchitecture:GS_LAMBDA_ARCHITECTURE
  LambdaMemoryMb:GS_LAMBDA_MEMORY_MB
  LambdaTimeoutSeconds:GS_LAMBDA_TIMEOUT_SECONDS
  ReservedConcurrency:GS_RESERVED_CONCURRENCY
  LambdaRoleArn:GS_LAMBDA_ROLE_ARN
  ApiGatewayCloudWatchRoleArn:GS_APIGATEWAY_CLOUDWATCH_ROLE_ARN
  SchedulerRoleArn:GS_SCHEDULER_ROLE_ARN
)

# Writes the StackSet's parameters as a JSON file (CLI `--parameters file://...`), so that no
# value (the client secret, regexes) passes through a command line or needs shell quoting.
gs_write_parameters() {
  local file="$1" entry key var args=()
  for entry in "${GS_PARAMETER_MAP[@]}"; do
    key="${entry%%:*}"; var="${entry#*:}"
    args+=(--arg "$key" "${!var-}")
  done
  jq -n "${args[@]}" '$ARGS.named | to_entries |
    map({ParameterKey: .key, ParameterValue: .value})' >"$file"
  chmod 600 "$file"
}
