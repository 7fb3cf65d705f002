#!/usr/bin/env bash
# Deploy template.yaml to LocalStack: the same five Lambda functions and HTTP API as on AWS,
# with the compose databases (SPEC §7, "LocalStack").
#
#   docker compose --profile localstack up -d     # databases, redis, LocalStack
#   localstack/deploy.sh check                    # offline: sam validate --lint + sam build
#   localstack/deploy.sh deploy                   # build, deploy, migrate, seed, print the URL
#   localstack/deploy.sh url                      # the API's URL on LocalStack
#   localstack/deploy.sh destroy                  # delete the stack
#
# Uses samlocal/awslocal (pip install aws-sam-cli-local awscli-local) when installed, else
# plain sam/aws pointed at LocalStack through AWS_ENDPOINT_URL. Run from anywhere.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

ENDPOINT="${LOCALSTACK_ENDPOINT:-http://localhost:4566}"
STACK="${STACK_NAME:-eduplatform}"
SEED_SCALE="${SEED_SCALE:-0.02}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export SAM_CLI_TELEMETRY=0

run() { echo "+ $*" >&2; "$@"; }

sam_cmd() {
  if command -v samlocal >/dev/null 2>&1; then
    samlocal "$@"
  elif command -v sam >/dev/null 2>&1; then
    AWS_ENDPOINT_URL="$ENDPOINT" sam "$@"
  else
    AWS_ENDPOINT_URL="$ENDPOINT" uv run sam "$@"
  fi
}

aws_cmd() {
  if command -v awslocal >/dev/null 2>&1; then
    awslocal "$@"
  else
    aws --endpoint-url "$ENDPOINT" "$@"
  fi
}

check() {
  # Needs no Docker and no LocalStack: what CI can run.
  run uv run sam validate --lint
  run uv run sam build --config-env localstack
}

wait_for_localstack() {
  echo "waiting for LocalStack at $ENDPOINT ..." >&2
  for _ in $(seq 1 60); do
    if curl -fsS "$ENDPOINT/_localstack/health" >/dev/null 2>&1; then
      return 0
    fi
    sleep 2
  done
  echo "LocalStack does not answer at $ENDPOINT: docker compose --profile localstack up -d" >&2
  exit 1
}

api_url() {
  local api_id
  api_id="$(aws_cmd cloudformation describe-stack-resource --stack-name "$STACK" \
    --logical-resource-id HttpApi --query 'StackResourceDetail.PhysicalResourceId' --output text)"
  echo "http://${api_id}.execute-api.localhost.localstack.cloud:4566"
}

# The JWT secret lives in (LocalStack's) Secrets Manager, made once with a random value; the
# stack gets its ARN. Nothing secret is in the repository or on the command line.
JWT_SECRET_NAME="${JWT_SECRET_NAME:-eduplatform/jwt-secret}"

jwt_secret_arn() {
  aws_cmd secretsmanager describe-secret --secret-id "$JWT_SECRET_NAME" \
    --query ARN --output text 2>/dev/null && return 0
  aws_cmd secretsmanager create-secret --name "$JWT_SECRET_NAME" \
    --secret-string "$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    --query ARN --output text
}

samconfig_overrides() {
  # --parameter-overrides on the command line replaces samconfig's: repeat them.
  uv run python -c 'import tomllib; print(tomllib.load(open("samconfig.toml", "rb"))["localstack"]["deploy"]["parameters"]["parameter_overrides"])'
}

deploy() {
  wait_for_localstack
  run sam_cmd build --config-env localstack
  local arn
  arn="$(jwt_secret_arn)"
  run sam_cmd deploy --config-env localstack --no-confirm-changeset \
    --parameter-overrides "$(samconfig_overrides) JwtSecretArn=$arn"
  # The compose databases publish edu's default ports: migrate and seed them from the host.
  run uv run edu migrate
  run uv run edu seed --scale "$SEED_SCALE" --no-migrate || \
    echo "(seed skipped: the databases already hold data; edu seed --reset to replace it)" >&2
  local url
  url="$(api_url)"
  echo
  echo "API on LocalStack:   $url/api   (e.g. $url/api/courses?q=python)"
  echo "web app against it:  cd frontend && API_ORIGIN=$url npm run dev   -> http://localhost:3001"
}

case "${1:-deploy}" in
  check) check ;;
  deploy) deploy ;;
  url) api_url ;;
  destroy) run sam_cmd delete --stack-name "$STACK" --no-prompts ;;
  *) echo "usage: $0 [check|deploy|url|destroy]" >&2; exit 2 ;;
esac
