#!/usr/bin/env bash
# Removes the connector: every stack instance, then the StackSet, then (when asked) the
# artifact buckets.
#
# Usage: deploy/scripts/destroy.sh [--env FILE] [--delete-buckets] [--yes]
#   --delete-buckets  empty and delete the buckets the scripts manage, as
#                     GATESCOPE_AUTO_DELETE_ARTIFACTS=true does. External buckets
#                     (GATESCOPE_MANAGE_BUCKETS=false) are never deleted.
# Each stack's state bucket (checkpoints, spilled batches) is retained by CloudFormation, as
# it may hold undelivered data: delete it in each account once it is no longer needed.
# shellcheck source=lib.sh disable=SC2119  # gs_delete_instances without arguments: every region
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

gs_parse_common_args "$@"
delete_buckets=""
for arg in "${GS_ARGS[@]}"; do
  case "$arg" in
    --delete-buckets) delete_buckets=true ;;
    *) gs_die "unknown argument $arg (usage: destroy.sh [--env FILE] [--delete-buckets] [--yes])" ;;
  esac
done
gs_load_env
gs_call_as_args
[[ -n "$delete_buckets" ]] || delete_buckets="$GS_AUTO_DELETE_ARTIFACTS"

if gs_stackset_exists; then
  gs_confirm "Delete StackSet $GS_STACKSET_NAME and all its instances?" "$GS_AUTO_CONFIRM_STACKSET"
  gs_delete_instances
  remaining="$(gs_instance_pairs | wc -l)"
  ((remaining == 0)) || { gs_report_instances || true; gs_die "$remaining instance(s) remain; the StackSet was kept"; }
  aws cloudformation delete-stack-set --stack-set-name "$GS_STACKSET_NAME" "${GS_CALL_AS_ARGS[@]}"
  gs_log "StackSet $GS_STACKSET_NAME deleted."
else
  gs_log "StackSet $GS_STACKSET_NAME does not exist."
fi

if [[ "$delete_buckets" == true && "$GS_MANAGE_BUCKETS" == true ]]; then
  # Every region's bucket of this prefix, including regions that have left the scope since.
  mapfile -t regions < <(aws s3api list-buckets --output json | jq -r --arg p "$GS_BUCKET_PREFIX-" '
    .Buckets[].Name | select(startswith($p)) | ltrimstr($p) |
    select(test("^[a-z]{2}(-[a-z]+)+-[0-9]+$"))')
  [[ ${#regions[@]} -gt 0 ]] || gs_log "No bucket named $GS_BUCKET_PREFIX-<region>."
  gs_confirm "Empty and delete ${#regions[@]} bucket(s) $GS_BUCKET_PREFIX-<region>?" "$GS_AUTO_DELETE_ARTIFACTS"
  for region in "${regions[@]}"; do
    bucket="$(gs_bucket "$region")"
    aws s3api head-bucket --bucket "$bucket" --region "$region" >/dev/null 2>&1 || continue
    # Only buckets these scripts created: a bucket of the same name without our tag is kept.
    tag="$(aws s3api get-bucket-tagging --bucket "$bucket" --region "$region" --output json 2>/dev/null |
      jq -r '.TagSet[]? | select(.Key == "gatescope:managed-by") | .Value')"
    if [[ "$tag" != gatescope-scripts ]]; then
      gs_log "Keeping bucket $bucket: not created by these scripts."
      continue
    fi
    aws s3 rm "s3://$bucket" --recursive --region "$region" --only-show-errors
    aws s3api delete-bucket --bucket "$bucket" --region "$region"
    gs_log "Bucket $bucket deleted."
  done
fi
gs_log "The connector is destroyed."
