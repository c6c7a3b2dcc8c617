# The connector in one account and region, in push mode: CloudWatch Logs subscription filters
# invoke the Lambda `gatescope-connector` (custom runtime, the `bootstrap` of
# scripts/package_lambda.sh), which delivers transactions to the inventory server.
# The same resources as deploy/cloudformation/connector.yaml (docs/specs/deployment.md), with the
# subscriptions managed here instead of by the connector's refresh.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account   = data.aws_caller_identity.current.account_id
  region    = data.aws_region.current.name
  partition = data.aws_partition.current.partition

  # The refresh recognises its own filters by this name (docs/specs/deployment.md), so the
  # filters Terraform creates and those a refresh would create are the same filters.
  filter_name = "gatescope-connector"

  function_log_group = "/aws/lambda/${var.function_name}"
  state_bucket       = coalesce(var.state_bucket_name, "gatescope-connector-state-${local.account}-${local.region}")

  subscribed_groups = distinct(concat(var.log_group_names, var.create_access_log_group ? [var.access_log_group_name] : []))

  create_secret = var.auth_mode == "oauth2" && var.oauth_client_secret_arn == null
  secret_arn    = var.auth_mode != "oauth2" ? null : (local.create_secret ? aws_secretsmanager_secret.oauth[0].arn : var.oauth_client_secret_arn)

  create_apigw_role = var.enable_refresh && var.apigateway_cloudwatch_role_arn == null
  apigw_role_arn    = local.create_apigw_role ? aws_iam_role.apigateway_cloudwatch[0].arn : var.apigateway_cloudwatch_role_arn

  # The connector's environment: only names the connector knows (it refuses unknown
  # GATESCOPE_* variables at init), and no secret: the client secret is read from Secrets
  # Manager on first use by GATESCOPE_OAUTH_CLIENT_SECRET_ARN.
  oauth_environment = var.auth_mode != "oauth2" ? {} : {
    GATESCOPE_OAUTH_TOKEN_URL         = var.oauth_token_url
    GATESCOPE_OAUTH_CLIENT_ID         = var.oauth_client_id
    GATESCOPE_OAUTH_CLIENT_SECRET_ARN = local.secret_arn
    GATESCOPE_OAUTH_SCOPE             = var.oauth_scope
  }
  # Conditions on inputs only (not on ARNs unknown until apply), so the plan shows the keys.
  optional_environment = merge(
    var.content_type_regex == null ? {} : { GATESCOPE_CONTENT_TYPE_REGEX = var.content_type_regex },
    var.static_file_regex == null ? {} : { GATESCOPE_STATIC_FILE_REGEX = var.static_file_regex },
    var.enable_refresh || var.apigateway_cloudwatch_role_arn != null ? { GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN = local.apigw_role_arn } : {},
  )
  environment = merge({
    GATESCOPE_COLLECTOR_URL = var.collector_url
    GATESCOPE_AUTH          = var.auth_mode
    GATESCOPE_COLLECTION    = "push"
    GATESCOPE_SPILL         = "s3://${local.state_bucket}/spill/"
    GATESCOPE_DISCOVER      = tostring(var.discover)
    GATESCOPE_REST_ENABLED  = tostring(var.rest_enabled)
    GATESCOPE_HTTP_ENABLED  = tostring(var.http_enabled)
    # The refresh's scope when discovery is off: the groups subscribed here.
    GATESCOPE_LOG_GROUPS                   = join(",", local.subscribed_groups)
    GATESCOPE_REST_EXECUTION_LOGS_EXIST    = tostring(var.rest_execution_logs_exist)
    GATESCOPE_HTTP_ACCESS_LOGS_EXIST       = tostring(var.http_access_logs_exist)
    GATESCOPE_HTTP_ACCESS_LOG_GROUP        = var.access_log_group_name
    GATESCOPE_ENABLE_DEFAULT_STAGE_LOGGING = tostring(var.enable_default_stage_logging)
    GATESCOPE_LOG_RETENTION_DAYS           = tostring(var.log_retention_days)
    GATESCOPE_LOG_LEVEL                    = var.log_level
  }, local.oauth_environment, local.optional_environment)

  tags = merge({ "gatescope:component" = "connector" }, var.tags)
}

resource "aws_cloudwatch_log_group" "function" {
  # Created before the function, so that Lambda does not create it without a retention.
  name              = local.function_log_group
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_cloudwatch_log_group" "access" {
  count             = var.create_access_log_group ? 1 : 0
  name              = var.access_log_group_name
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_secretsmanager_secret" "oauth" {
  count                   = local.create_secret ? 1 : 0
  name_prefix             = "${var.function_name}-oauth-client-secret-"
  description             = "OAuth2 client secret of ${var.function_name} (read by GATESCOPE_OAUTH_CLIENT_SECRET_ARN)"
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = local.tags
}

resource "aws_secretsmanager_secret_version" "oauth" {
  count         = local.create_secret ? 1 : 0
  secret_id     = aws_secretsmanager_secret.oauth[0].id
  secret_string = var.oauth_client_secret
}

resource "aws_lambda_function" "connector" {
  function_name = var.function_name
  description   = "gatescope connector: API Gateway logs to the inventory server (push)"
  role          = aws_iam_role.connector.arn
  runtime       = "provided.al2023"
  handler       = "bootstrap"
  architectures = [var.lambda_architecture]
  memory_size   = var.lambda_memory_mb
  timeout       = var.lambda_timeout_seconds

  reserved_concurrent_executions = var.reserved_concurrency == null ? -1 : var.reserved_concurrency

  filename         = var.lambda_zip
  source_code_hash = var.lambda_zip == null ? null : filebase64sha256(var.lambda_zip)
  s3_bucket        = var.lambda_zip == null ? var.lambda_s3_bucket : null
  s3_key           = var.lambda_zip == null ? var.lambda_s3_key : null

  environment {
    variables = local.environment
  }

  tags = local.tags

  lifecycle {
    precondition {
      condition     = (var.lambda_zip != null) != (var.lambda_s3_bucket != null && var.lambda_s3_key != null)
      error_message = "Set lambda_zip, or lambda_s3_bucket and lambda_s3_key (one of the two)."
    }
    precondition {
      condition     = var.auth_mode != "oauth2" || (var.oauth_token_url != "" && var.oauth_client_id != "" && (nonsensitive(var.oauth_client_secret != null) || var.oauth_client_secret_arn != null))
      error_message = "auth_mode = oauth2 needs oauth_token_url, oauth_client_id, and oauth_client_secret or oauth_client_secret_arn."
    }
    precondition {
      condition     = var.auth_mode != "oauth2" || can(regex("^https://", var.oauth_token_url)) || can(regex("^http://(127\\.0\\.0\\.1|localhost|\\[::1\\])([:/]|$)", var.oauth_token_url))
      error_message = "oauth_token_url must be https:// (the connector refuses plain http:// except to loopback)."
    }
    precondition {
      condition     = !contains(local.subscribed_groups, local.function_log_group)
      error_message = "The connector's own log group cannot be subscribed to it (it would invoke itself forever)."
    }
    precondition {
      condition     = var.rest_enabled || var.http_enabled
      error_message = "rest_enabled and http_enabled are both false; enable one."
    }
    precondition {
      # Lambda's limit on the whole environment; GATESCOPE_LOG_GROUPS grows with the list.
      condition     = length(jsonencode(local.environment)) < 4000
      error_message = "The Lambda environment would exceed 4 KB (too many log_group_names): subscribe fewer groups per module instance, or use enable_refresh with discover = true."
    }
  }

  depends_on = [
    aws_cloudwatch_log_group.function,
    aws_iam_role_policy.connector,
  ]
}

# Asynchronous invocations (every subscription delivery, every scheduled refresh): retried by
# Lambda, then kept in a queue rather than lost.
resource "aws_sqs_queue" "failures" {
  name                      = "${var.function_name}-failures"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = local.tags
}

resource "aws_lambda_function_event_invoke_config" "connector" {
  function_name                = aws_lambda_function.connector.function_name
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = var.maximum_event_age_seconds

  destination_config {
    on_failure {
      destination = aws_sqs_queue.failures.arn
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "failures" {
  alarm_name          = "${var.function_name}-failures-${local.region}"
  alarm_description   = "Invocations of ${var.function_name} failed after Lambda's retries; their events are in ${aws_sqs_queue.failures.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.failures.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
}

# --- the state bucket (spilled batches) -------------------------------------

resource "aws_s3_bucket" "state" {
  bucket        = local.state_bucket
  force_destroy = var.state_bucket_force_destroy
  tags          = local.tags
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      # SSE-S3: no KMS key policy for the function to need.
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "spill-expiry"
    status = "Enabled"
    filter {
      prefix = "spill/"
    }
    expiration {
      days = var.spill_expiration_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.state]
}

# --- subscriptions ------------------------------------------------------------

resource "aws_lambda_permission" "logs" {
  for_each = toset(local.subscribed_groups)

  # One statement per group: CloudWatch Logs may invoke the function from these groups only.
  statement_id   = "logs-${substr(sha256(each.key), 0, 32)}"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.connector.function_name
  principal      = "logs.amazonaws.com"
  source_arn     = "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:${each.key}:*"
  source_account = local.account
}

resource "aws_lambda_permission" "logs_any_group" {
  # The refresh subscribes groups Terraform does not know (discovered stages).
  count = var.enable_refresh ? 1 : 0

  statement_id   = "logs-any-group"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.connector.function_name
  principal      = "logs.amazonaws.com"
  source_arn     = "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*"
  source_account = local.account
}

resource "aws_cloudwatch_log_subscription_filter" "connector" {
  for_each = toset(local.subscribed_groups)

  name            = local.filter_name
  log_group_name  = each.key
  filter_pattern  = var.subscription_filter_pattern
  destination_arn = aws_lambda_function.connector.arn

  depends_on = [aws_lambda_permission.logs, aws_cloudwatch_log_group.access]
}

# --- the refresh (optional) -------------------------------------------------

resource "aws_scheduler_schedule" "refresh" {
  count = var.enable_refresh ? 1 : 0

  name                = "${var.function_name}-refresh"
  description         = "gatescope refresh: find stages, turn on their logging, subscribe their groups"
  schedule_expression = var.refresh_schedule

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.connector.arn
    role_arn = aws_iam_role.scheduler[0].arn
    input    = jsonencode({ gatescope = "refresh" })
  }
}
