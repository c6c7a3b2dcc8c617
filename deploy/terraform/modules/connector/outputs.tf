locals {
  # Access-log formats for stages configured by hand (or by your own Terraform's
  # access_log_settings): JSON lines whose keys are the $context names the connector's parser
  # maps by meaning (src/parsers/apigw_access/context_var.cc). apiId and stage attribute a
  # line to its API even in a log group shared by several stages; REST has resourcePath
  # (the template), HTTP APIs routeKey.
  access_log_fields = {
    requestId          = "$context.requestId"
    extendedRequestId  = "$context.extendedRequestId"
    apiId              = "$context.apiId"
    stage              = "$context.stage"
    accountId          = "$context.accountId"
    domainName         = "$context.domainName"
    httpMethod         = "$context.httpMethod"
    path               = "$context.path"
    protocol           = "$context.protocol"
    status             = "$context.status"
    responseLength     = "$context.responseLength"
    requestTime        = "$context.requestTime"
    requestTimeEpoch   = "$context.requestTimeEpoch"
    responseLatency    = "$context.responseLatency"
    integrationLatency = "$context.integrationLatency"
    integrationStatus  = "$context.integrationStatus"
    errorMessage       = "$context.error.message"
    sourceIp           = "$context.identity.sourceIp"
    userAgent          = "$context.identity.userAgent"
  }
  rest_access_log_format = jsonencode(merge(local.access_log_fields, { resourcePath = "$context.resourcePath" }))
  http_access_log_format = jsonencode(merge(local.access_log_fields, { routeKey = "$context.routeKey" }))
}

output "function_name" {
  description = "Name of the connector's Lambda function."
  value       = aws_lambda_function.connector.function_name
}

output "function_arn" {
  description = "ARN of the connector's Lambda function."
  value       = aws_lambda_function.connector.arn
}

output "role_arn" {
  description = "ARN of the function's execution role."
  value       = aws_iam_role.connector.arn
}

output "function_log_group_name" {
  description = "The function's own log group (its run summaries, in CloudWatch embedded metric format)."
  value       = aws_cloudwatch_log_group.function.name
}

output "api_gateway_log_group_arn" {
  description = "ARN of the created access log group, to paste as a stage's access log destination (null when create_access_log_group is false)."
  value       = var.create_access_log_group ? aws_cloudwatch_log_group.access[0].arn : null
}

output "api_gateway_log_group_name" {
  description = "Name of the created access log group (null when create_access_log_group is false)."
  value       = var.create_access_log_group ? aws_cloudwatch_log_group.access[0].name : null
}

output "subscribed_log_groups" {
  description = "Log groups subscribed to the connector by this module."
  value       = local.subscribed_groups
}

output "rest_access_log_format" {
  description = "Access-log format to set on REST API stages (JSON)."
  value       = local.rest_access_log_format
}

output "http_access_log_format" {
  description = "Access-log format to set on HTTP API stages (JSON)."
  value       = local.http_access_log_format
}

output "state_bucket" {
  description = "Bucket of the connector's state (spill/)."
  value       = aws_s3_bucket.state.bucket
}

output "failure_queue_url" {
  description = "SQS queue receiving the events of invocations that failed after Lambda's retries."
  value       = aws_sqs_queue.failures.url
}

output "failure_queue_arn" {
  description = "ARN of the on-failure queue."
  value       = aws_sqs_queue.failures.arn
}

output "oauth_client_secret_arn" {
  description = "ARN of the Secrets Manager secret the connector reads its OAuth2 client secret from (null with auth_mode = none)."
  value       = local.secret_arn
}

output "refresh_schedule_arn" {
  description = "ARN of the refresh schedule (null when enable_refresh is false)."
  value       = var.enable_refresh ? aws_scheduler_schedule.refresh[0].arn : null
}
