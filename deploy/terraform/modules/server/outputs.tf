output "base_url" {
  description = "The server's URL: https://<domain_name> with TLS, else http://<ALB name>."
  value       = local.base_url
}

output "collector_url" {
  description = "Where connectors deliver (GATESCOPE_COLLECTOR_URL): the server's POST /v1/batches."
  value       = "${local.base_url}/v1/batches"
}

output "token_url" {
  description = "The server's OAuth2 token endpoint (GATESCOPE_OAUTH_TOKEN_URL)."
  value       = "${local.base_url}/oauth2/token"
}

output "tls_enabled" {
  description = "Whether the ALB serves HTTPS."
  value       = local.tls_enabled
}

output "warning" {
  description = "Set when the server is reachable over plain HTTP only."
  value       = local.tls_enabled ? null : "WARNING: NO TLS. The server is served over plain HTTP at ${local.base_url}: OAuth2 client secrets, tokens and inventory data cross the internet in clear, and the connector refuses a plain-http collector (it allows http:// to loopback only). Set domain_name with route53_zone_id (or certificate_arn)."
}

output "alb_dns_name" {
  description = "DNS name of the ALB (point domain_name at it when its DNS is not in Route 53)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone id of the ALB (for alias records)."
  value       = aws_lb.this.zone_id
}

output "alb_arn" {
  description = "ARN of the ALB."
  value       = aws_lb.this.arn
}

output "certificate_arn" {
  description = "ARN of the certificate on the HTTPS listener (null without TLS)."
  value       = local.tls_enabled ? local.certificate_arn : null
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "ECS service name."
  value       = aws_ecs_service.server.name
}

output "log_group_name" {
  description = "CloudWatch log group of the server's tasks."
  value       = aws_cloudwatch_log_group.server.name
}

output "clients_secret_arn" {
  description = "Secrets Manager secret holding the clients file (null with no_auth); update it and redeploy the service to add or revoke clients."
  value       = local.clients_secret_arn
}

output "efs_file_system_id" {
  description = "EFS file system holding the SQLite database (null with store = postgres)."
  value       = local.sqlite ? aws_efs_file_system.data[0].id : null
}

output "vpc_id" {
  description = "VPC of the server."
  value       = local.vpc_id
}

output "private_subnet_ids" {
  description = "Subnets of the tasks."
  value       = local.private_subnet_ids
}

output "public_subnet_ids" {
  description = "Subnets of the ALB."
  value       = local.public_subnet_ids
}

output "alb_security_group_id" {
  description = "Security group of the ALB."
  value       = aws_security_group.alb.id
}

output "task_security_group_id" {
  description = "Security group of the tasks."
  value       = aws_security_group.task.id
}
