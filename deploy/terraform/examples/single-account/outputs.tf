output "server_url" {
  description = "The inventory server (dashboard at /, API under /v1)."
  value       = module.server.base_url
}

output "collector_url" {
  description = "Where the connector delivers."
  value       = module.server.collector_url
}

output "warning" {
  description = "Set when the server is served over plain HTTP."
  value       = module.server.warning
}

output "connector_function_name" {
  description = "The connector's Lambda function."
  value       = var.deploy_connector ? module.connector[0].function_name : null
}

output "api_gateway_log_group_arn" {
  description = "Access log destination ARN to set on your stages (with the format below)."
  value       = var.deploy_connector ? module.connector[0].api_gateway_log_group_arn : null
}

output "rest_access_log_format" {
  description = "Access-log format for REST API stages."
  value       = var.deploy_connector ? module.connector[0].rest_access_log_format : null
}

output "http_access_log_format" {
  description = "Access-log format for HTTP API stages."
  value       = var.deploy_connector ? module.connector[0].http_access_log_format : null
}

output "subscribed_log_groups" {
  description = "Log groups streaming to the connector."
  value       = var.deploy_connector ? module.connector[0].subscribed_log_groups : []
}

output "failure_queue_url" {
  description = "Events the connector could not deliver after Lambda's retries."
  value       = var.deploy_connector ? module.connector[0].failure_queue_url : null
}

output "server_log_group_name" {
  description = "The server's logs."
  value       = module.server.log_group_name
}
