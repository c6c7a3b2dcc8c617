#!/bin/sh
# Entrypoint of the server image: `gatescope serve` with its settings from the environment
# (GATESCOPE_SERVER_*, docs/specs/server.md).
#
# The server reads its OAuth2 clients from a file (GATESCOPE_SERVER_CLIENTS_FILE), while ECS
# hands secrets over as environment variables. So when GS_CLIENTS_JSON is set (ECS `secrets`,
# from Secrets Manager), it is written to that file, readable by this user only, and removed
# from the environment before the server starts: nothing of it is in the image or in the task
# definition. GS_ is not the server's prefix, which refuses unknown GATESCOPE_SERVER_* names.
set -eu

if [ -n "${GS_CLIENTS_JSON:-}" ]; then
  clients_file="${GATESCOPE_SERVER_CLIENTS_FILE:-/run/gatescope/clients.json}"
  umask 077
  mkdir -p "$(dirname "$clients_file")"
  printf '%s\n' "$GS_CLIENTS_JSON" > "$clients_file.tmp"
  mv "$clients_file.tmp" "$clients_file"
  export GATESCOPE_SERVER_CLIENTS_FILE="$clients_file"
  unset GS_CLIENTS_JSON
fi

exec gatescope serve "$@"
