# Roles of the connector, each limited to what its mode needs. IAM is global and an account
# may hold the connector in several regions, so role names carry the region.

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "connector" {
  name               = "${var.function_name}-${local.region}"
  description        = "gatescope connector (${local.region})"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
  tags               = local.tags
}

data "aws_iam_policy_document" "connector" {
  # Its own logs only (the group is created above, so no logs:CreateLogGroup).
  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  # Spilled batches: written, replayed, removed once delivered; nothing else in the bucket.
  statement {
    sid       = "Spill"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/spill/*"]
  }
  statement {
    sid       = "SpillList"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["spill/*"]
    }
  }

  # The on-failure destination is written with the function's role.
  statement {
    sid       = "OnFailureDestination"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.failures.arn]
  }

  dynamic "statement" {
    for_each = var.auth_mode == "oauth2" ? [local.secret_arn] : []
    content {
      sid       = "OAuthClientSecret"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }

  # The refresh: read the stages, turn on their logging, subscribe their log groups.
  dynamic "statement" {
    for_each = var.enable_refresh ? [1] : []
    content {
      sid     = "RefreshReadApis"
      actions = ["apigateway:GET"]
      resources = [
        "arn:${local.partition}:apigateway:${local.region}::/restapis",
        "arn:${local.partition}:apigateway:${local.region}::/restapis/*",
        "arn:${local.partition}:apigateway:${local.region}::/apis",
        "arn:${local.partition}:apigateway:${local.region}::/apis/*",
        "arn:${local.partition}:apigateway:${local.region}::/account",
      ]
    }
  }
  dynamic "statement" {
    for_each = var.enable_refresh && !(var.rest_execution_logs_exist && var.http_access_logs_exist) ? [1] : []
    content {
      sid     = "RefreshStageLogging"
      actions = ["apigateway:PATCH"]
      resources = [
        "arn:${local.partition}:apigateway:${local.region}::/restapis/*/stages/*",
        "arn:${local.partition}:apigateway:${local.region}::/apis/*/stages/*",
        "arn:${local.partition}:apigateway:${local.region}::/account",
      ]
    }
  }
  dynamic "statement" {
    for_each = var.enable_refresh ? [local.apigw_role_arn] : []
    content {
      sid       = "RefreshPassApiGatewayLogsRole"
      actions   = ["iam:PassRole"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["apigateway.amazonaws.com"]
      }
    }
  }
  dynamic "statement" {
    for_each = var.enable_refresh ? [1] : []
    content {
      sid = "RefreshLogGroups"
      actions = [
        "logs:DescribeLogGroups",
        "logs:CreateLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DescribeSubscriptionFilters",
        "logs:PutSubscriptionFilter",
        "logs:DeleteSubscriptionFilter",
      ]
      resources = ["arn:${local.partition}:logs:${local.region}:${local.account}:log-group:*"]
    }
  }
  dynamic "statement" {
    # HTTP API access logging is a log delivery; these actions take no resource ARN.
    for_each = var.enable_refresh && !var.http_access_logs_exist ? [1] : []
    content {
      sid = "RefreshHttpAccessLogDelivery"
      actions = [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "connector" {
  name   = "gatescope-connector"
  role   = aws_iam_role.connector.id
  policy = data.aws_iam_policy_document.connector.json
}

# --- EventBridge Scheduler (the refresh) -------------------------------------

data "aws_iam_policy_document" "scheduler_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  count              = var.enable_refresh ? 1 : 0
  name               = "${var.function_name}-scheduler-${local.region}"
  description        = "EventBridge Scheduler invoking the gatescope connector's refresh (${local.region})"
  assume_role_policy = data.aws_iam_policy_document.scheduler_trust.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "scheduler" {
  count = var.enable_refresh ? 1 : 0
  name  = "invoke-connector"
  role  = aws_iam_role.scheduler[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "lambda:InvokeFunction"
      Resource = [aws_lambda_function.connector.arn, "${aws_lambda_function.connector.arn}:*"]
    }]
  })
}

# --- API Gateway's CloudWatch role (REST execution logs) --------------------

data "aws_iam_policy_document" "apigateway_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigateway_cloudwatch" {
  count              = local.create_apigw_role ? 1 : 0
  name               = "${var.function_name}-apigw-logs-${local.region}"
  description        = "API Gateway writing execution logs to CloudWatch (set by the gatescope refresh, ${local.region})"
  assume_role_policy = data.aws_iam_policy_document.apigateway_trust.json
  tags               = local.tags
}

resource "aws_iam_role_policy_attachment" "apigateway_cloudwatch" {
  count      = local.create_apigw_role ? 1 : 0
  role       = aws_iam_role.apigateway_cloudwatch[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}
