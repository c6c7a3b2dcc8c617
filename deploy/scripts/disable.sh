#!/usr/bin/env bash
# Turns the connector off for one API type, or removes it from every account and region.
#
# Usage: deploy/scripts/disable.sh [--env FILE] [--rest | --http | --all] [--yes]
#   --rest, --http  update the StackSet with RestEnabled=false or HttpEnabled=false: the
#                   connector stops reading that type and its refresh removes its subscription
#                   filters from that type's log groups. Everything else stays as deployed.
#   --all           (default) delete every stack instance; the StackSet and buckets stay, so
#                   enable.sh can redeploy. destroy.sh removes those too.
# Disabling the last enabled type is the same as --all. To turn a type back on, set it to
# true in the .env and run enable.sh.
# shellcheck source=lib.sh disable=SC2119  # gs_delete_instances without arguments: every region
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

gs_parse_common_args "$@"
what=all
for arg in "${GS_ARGS[@]}"; do
  case "$arg" in
    --rest) what=rest ;;
    --http) what=http ;;
    --all) what=all ;;
    *) gs_die "unknown argument $arg (usage: disable.sh [--env FILE] [--rest|--http|--all] [--yes])" ;;
  esac
done
gs_load_env
gs_call_as_args
gs_stackset_exists || gs_die "StackSet $GS_STACKSET_NAME does not exist in $GS_PREFERRED_REGION"

if [[ "$what" == rest ]]; then GS_REST_ENABLED=false; fi
if [[ "$what" == http ]]; then GS_HTTP_ENABLED=false; fi
if [[ "$GS_REST_ENABLED" == false && "$GS_HTTP_ENABLED" == false ]]; then what=all; fi

if [[ "$what" == all ]]; then
  gs_confirm "Delete every instance of StackSet $GS_STACKSET_NAME?" "$GS_AUTO_CONFIRM_STACKSET"
  gs_delete_instances
  gs_report_instances
  gs_log "The connector is removed from every account and region (the StackSet remains)."
  exit 0
fi

# Keep the deployed artifacts: only the two switches change, every other value is the
# StackSet's current one.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
aws cloudformation describe-stack-set --stack-set-name "$GS_STACKSET_NAME" "${GS_CALL_AS_ARGS[@]}" \
  --output json | jq --arg rest "$GS_REST_ENABLED" --arg http "$GS_HTTP_ENABLED" '
    .StackSet.Parameters | map(
      if .ParameterKey == "RestEnabled" then {ParameterKey, ParameterValue: $rest}
      elif .ParameterKey == "HttpEnabled" then {ParameterKey, ParameterValue: $http}
      else {ParameterKey, UsePreviousValue: true} end)' >"$work/parameters.json"
gs_confirm "Turn off $what APIs in StackSet $GS_STACKSET_NAME?" "$GS_AUTO_CONFIRM_STACKSET"
op="$(aws cloudformation update-stack-set --stack-set-name "$GS_STACKSET_NAME" \
  "${GS_CALL_AS_ARGS[@]}" --use-previous-template --parameters "file://$work/parameters.json" \
  --capabilities CAPABILITY_NAMED_IAM --operation-preferences "$(gs_operation_preferences)" \
  --query OperationId --output text)"
gs_wait_operation "$op" "update StackSet" || true
gs_report_instances
gs_log "The connector no longer collects $what APIs."
