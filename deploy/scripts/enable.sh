#!/usr/bin/env bash
# Deploys the gatescope connector to every account and region the .env names, or updates it.
#
# Usage: deploy/scripts/enable.sh [--env FILE] [--yes]
#   --env FILE  the settings (default ./.env; see deploy/.env.example)
#   --yes       answer yes to every confirmation (or set GATESCOPE_AUTO_CONFIRM_*)
#
# Steps (docs/specs/deployment.md): check the .env (a bad one stops before any AWS call);
# prepare a bucket per region and upload the Lambda zip, the template and the API list;
# create or update the StackSet; create the missing instances and delete those of regions no
# longer in scope; wait; report every instance, failing if any did not succeed.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

gs_parse_common_args "$@"
[[ ${#GS_ARGS[@]} -eq 0 ]] || gs_die "unknown argument ${GS_ARGS[0]} (usage: enable.sh [--env FILE] [--yes])"
gs_load_env
gs_call_as_args
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Content-addressed keys: a new zip or list gets a new key, which is what makes CloudFormation
# update the function (it compares S3Key, not the object's bytes).
short_hash() { sha256sum "$1" | cut -c1-16; }
GS_LAMBDA_ZIP_KEY="lambda/gatescope-$(short_hash "$GS_LAMBDA_ZIP").zip"
GS_TEMPLATE_KEY="templates/connector-$(short_hash "$GS_TEMPLATE").yaml"
GS_APIS_KEY=""
if [[ -n "$GS_APIS_FILE" ]]; then GS_APIS_KEY="apis/apis-$(short_hash "$GS_APIS_FILE").json"; fi

# Who may read the artifacts: the organization, or the target accounts.
bucket_policy() {
  local bucket="$1" condition principals
  if [[ "$GS_PERMISSION_MODEL" == SERVICE_MANAGED ]]; then
    local org="$GS_ORGANIZATION_ID"
    if [[ -z "$org" ]]; then
      org="$(aws organizations describe-organization --query Organization.Id --output text)" ||
        gs_die "cannot read the organization id; set GATESCOPE_ORGANIZATION_ID"
    fi
    condition="$(jq -cn --arg org "$org" '{StringEquals: {"aws:PrincipalOrgID": $org}}')"
    principals='"*"'
  else
    condition='{}'
    principals="$(printf '%s\n' "${GS_ACCOUNT_LIST[@]}" | jq -R --arg p "$GS_PARTITION" \
      '"arn:\($p):iam::\(.):root"' | jq -sc '{AWS: .}')"
  fi
  jq -n --arg b "$bucket" --arg p "$GS_PARTITION" --argjson who "$principals" \
      --argjson cond "$condition" '{Version: "2012-10-17", Statement: [
    ({Sid: "TargetAccountsRead", Effect: "Allow", Principal: $who, Action: "s3:GetObject",
      Resource: "arn:\($p):s3:::\($b)/*"} + (if $cond == {} then {} else {Condition: $cond} end)),
    {Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "s3:*",
     Resource: ["arn:\($p):s3:::\($b)", "arn:\($p):s3:::\($b)/*"],
     Condition: {Bool: {"aws:SecureTransport": "false"}}}]}'
}

prepare_bucket() {
  local region="$1" bucket
  bucket="$(gs_bucket "$region")"
  if aws s3api head-bucket --bucket "$bucket" --region "$region" >/dev/null 2>&1; then
    gs_log "Bucket $bucket exists."
  elif [[ "$GS_MANAGE_BUCKETS" == true ]]; then
    gs_log "Creating bucket $bucket in $region."
    if [[ "$region" == us-east-1 ]]; then
      aws s3api create-bucket --bucket "$bucket" --region "$region" >/dev/null
    else
      aws s3api create-bucket --bucket "$bucket" --region "$region" \
        --create-bucket-configuration "LocationConstraint=$region" >/dev/null
    fi
  else
    gs_die "bucket $bucket does not exist (GATESCOPE_MANAGE_BUCKETS=false: create it first)"
  fi
  if [[ "$GS_MANAGE_BUCKETS" == true ]]; then
    aws s3api put-public-access-block --bucket "$bucket" --region "$region" \
      --public-access-block-configuration \
      BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
    aws s3api put-bucket-encryption --bucket "$bucket" --region "$region" \
      --server-side-encryption-configuration \
      '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
    aws s3api put-bucket-policy --bucket "$bucket" --region "$region" \
      --policy "$(bucket_policy "$bucket")"
    aws s3api put-bucket-tagging --bucket "$bucket" --region "$region" \
      --tagging 'TagSet=[{Key=gatescope:managed-by,Value=gatescope-scripts}]'
  fi
  gs_log "Uploading to s3://$bucket/."
  aws s3 cp "$GS_LAMBDA_ZIP" "s3://$bucket/$GS_LAMBDA_ZIP_KEY" --region "$region" --only-show-errors
  aws s3 cp "$GS_TEMPLATE" "s3://$bucket/$GS_TEMPLATE_KEY" --region "$region" --only-show-errors
  if [[ -n "$GS_APIS_KEY" ]]; then
    aws s3 cp "$GS_APIS_FILE" "s3://$bucket/$GS_APIS_KEY" --region "$region" --only-show-errors
  fi
}

# The preferred region hosts the template the StackSet reads, even when it is not a target.
upload_regions=("${GS_REGION_LIST[@]}")
[[ " ${GS_REGION_LIST[*]} " == *" $GS_PREFERRED_REGION "* ]] || upload_regions+=("$GS_PREFERRED_REGION")
gs_confirm "Upload the connector to ${#upload_regions[@]} bucket(s) named $GS_BUCKET_PREFIX-<region>?" \
  "$GS_AUTO_CONFIRM_UPLOAD"
for region in "${upload_regions[@]}"; do prepare_bucket "$region"; done

template_url="https://$(gs_bucket "$GS_PREFERRED_REGION").s3.$GS_PREFERRED_REGION.amazonaws.com/$GS_TEMPLATE_KEY"
if [[ "$GS_CREATE_STACKSET" != true ]]; then
  cat >&2 <<EOT
==> Artifacts uploaded; GATESCOPE_CREATE_STACKSET=false, so no StackSet was created.
    Create it in the CloudFormation console of $GS_PREFERRED_REGION (StackSets > Create):
    - template: $template_url
    - permission model: $GS_PERMISSION_MODEL; capabilities: CAPABILITY_NAMED_IAM
    - parameters: ArtifactBucketPrefix=$GS_BUCKET_PREFIX LambdaZipKey=$GS_LAMBDA_ZIP_KEY ApisKey=$GS_APIS_KEY
      and the others from your .env (docs/specs/deployment.md maps each one)
    - regions: ${GS_REGION_LIST[*]}
EOT
  exit 0
fi

gs_write_parameters "$work/parameters.json"
gs_confirm "Create or update StackSet $GS_STACKSET_NAME ($GS_PERMISSION_MODEL) in ${GS_REGION_LIST[*]}?" \
  "$GS_AUTO_CONFIRM_STACKSET"
prefs="$(gs_operation_preferences)"
tags='[{"Key":"gatescope:component","Value":"connector"},{"Key":"gatescope:deployed-by","Value":"cloudformation"}]'

if gs_stackset_exists; then
  gs_log "Updating StackSet $GS_STACKSET_NAME."
  op="$(aws cloudformation update-stack-set --stack-set-name "$GS_STACKSET_NAME" \
    "${GS_CALL_AS_ARGS[@]}" --template-url "$template_url" \
    --parameters "file://$work/parameters.json" --capabilities CAPABILITY_NAMED_IAM \
    --tags "$tags" --operation-preferences "$prefs" --query OperationId --output text)"
  gs_wait_operation "$op" "update StackSet" || gs_die "updating the StackSet failed"
else
  gs_log "Creating StackSet $GS_STACKSET_NAME ($GS_PERMISSION_MODEL)."
  model_args=(--permission-model "$GS_PERMISSION_MODEL")
  if [[ "$GS_PERMISSION_MODEL" == SERVICE_MANAGED ]]; then
    model_args+=(--auto-deployment
      "Enabled=$GS_AUTO_DEPLOYMENT,RetainStacksOnAccountRemoval=$GS_RETAIN_STACKS_ON_ACCOUNT_REMOVAL")
  else
    admin_role="${GS_ADMINISTRATION_ROLE_ARN:-arn:$GS_PARTITION:iam::$GS_ADMIN_ACCOUNT:role/AWSCloudFormationStackSetAdministrationRole}"
    model_args+=(--administration-role-arn "$admin_role" --execution-role-name "$GS_EXECUTION_ROLE_NAME")
  fi
  aws cloudformation create-stack-set --stack-set-name "$GS_STACKSET_NAME" "${GS_CALL_AS_ARGS[@]}" \
    --description "gatescope connector: API Gateway logs to the API inventory" \
    --template-url "$template_url" --parameters "file://$work/parameters.json" \
    --capabilities CAPABILITY_NAMED_IAM --managed-execution Active=true --tags "$tags" \
    "${model_args[@]}" >/dev/null
fi

# Instances: create what is missing, delete regions no longer in scope.
mapfile -t existing < <(gs_instance_pairs)
in_scope() { [[ " ${GS_REGION_LIST[*]} " == *" $1 "* ]]; }
stale_regions=()
for pair in "${existing[@]}"; do
  region="${pair#* }"
  in_scope "$region" || [[ " ${stale_regions[*]} " == *" $region "* ]] || stale_regions+=("$region")
done
if [[ ${#stale_regions[@]} -gt 0 ]]; then
  gs_confirm "Delete the connector from regions no longer in scope: ${stale_regions[*]}?" \
    "$GS_AUTO_CONFIRM_STACKSET"
  gs_delete_instances "${stale_regions[@]}"
fi

if [[ "$GS_PERMISSION_MODEL" == SERVICE_MANAGED ]]; then
  gs_resolve_ous
  targets="$(gs_deployment_targets)"
  gs_log "Deploying to OUs ${GS_OU_IDS[*]} in ${GS_REGION_LIST[*]}."
  op="$(aws cloudformation create-stack-instances --stack-set-name "$GS_STACKSET_NAME" \
    "${GS_CALL_AS_ARGS[@]}" --deployment-targets "$targets" --regions "${GS_REGION_LIST[@]}" \
    --operation-preferences "$prefs" --query OperationId --output text)"
  gs_wait_operation "$op" "create stack instances" || true
else
  if [[ ${#existing[@]} -eq 0 ]]; then
    # A first deployment is one operation, so the region concurrency setting applies.
    gs_log "Deploying to accounts ${GS_ACCOUNT_LIST[*]} in ${GS_REGION_LIST[*]}."
    op="$(aws cloudformation create-stack-instances --stack-set-name "$GS_STACKSET_NAME" \
      --accounts "${GS_ACCOUNT_LIST[@]}" --regions "${GS_REGION_LIST[@]}" \
      --operation-preferences "$prefs" --query OperationId --output text)"
    gs_wait_operation "$op" "create stack instances" || true
  fi
  # Later, one operation per region for the accounts that lack an instance there (new
  # accounts or regions): an account × region product could name existing instances.
  mapfile -t existing < <(gs_instance_pairs)
  for region in "${GS_REGION_LIST[@]}"; do
    missing_accounts=()
    for account in "${GS_ACCOUNT_LIST[@]}"; do
      [[ " ${existing[*]/%/|} " == *" $account $region| "* ]] || missing_accounts+=("$account")
    done
    [[ ${#missing_accounts[@]} -gt 0 ]] || continue
    gs_log "Deploying to accounts ${missing_accounts[*]} in $region."
    op="$(aws cloudformation create-stack-instances --stack-set-name "$GS_STACKSET_NAME" \
      --accounts "${missing_accounts[@]}" --regions "$region" \
      --operation-preferences "$prefs" --query OperationId --output text)"
    gs_wait_operation "$op" "create stack instances in $region" || true
  done
fi

# Whatever the operations said, each instance decides.
gs_report_instances
if [[ "$GS_PERMISSION_MODEL" == SELF_MANAGED ]]; then
  for account in "${GS_ACCOUNT_LIST[@]}"; do
    for region in "${GS_REGION_LIST[@]}"; do
      grep -q "^$account	$region	" <<<"$GS_INSTANCE_ROWS" ||
        gs_die "no stack instance for account $account in $region"
    done
  done
fi
gs_log "The connector is deployed: StackSet $GS_STACKSET_NAME in ${GS_REGION_LIST[*]}."
