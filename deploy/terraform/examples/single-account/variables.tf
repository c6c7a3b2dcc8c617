variable "region" {
  description = "AWS region of everything (the connector reads the log groups of this region)."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Prefix of the server's resource names."
  type        = string
  default     = "gatescope"
}

variable "tags" {
  description = "Tags on every resource (provider default_tags)."
  type        = map(string)
  default     = { "gatescope:deployment" = "single-account" }
}

variable "log_retention_days" {
  description = "Retention of every log group created (CloudWatch's allowed values)."
  type        = number
  default     = 30
}

# --- the server -----------------------------------------------------------------

variable "server_image" {
  description = "Image of deploy/docker/Dockerfile pushed to ECR, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/gatescope:1.0.0."
  type        = string
}

variable "domain_name" {
  description = "DNS name of the server, e.g. inventory.example.com; empty serves plain HTTP (and the connector cannot be deployed)."
  type        = string
  default     = ""
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone of domain_name (certificate validation and alias record)."
  type        = string
  default     = ""
}

variable "certificate_arn" {
  description = "Existing ACM certificate for domain_name instead of a created one."
  type        = string
  default     = ""
}

variable "create_vpc" {
  description = "Create a VPC (public + private subnets, NAT) for the server, or use the subnets below."
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "Existing VPC when create_vpc = false."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "Existing public subnets (ALB) when create_vpc = false."
  type        = list(string)
  default     = []
}

variable "private_subnet_ids" {
  description = "Existing private subnets (tasks) when create_vpc = false."
  type        = list(string)
  default     = []
}

variable "server_clients_json" {
  description = "The server's clients file (`gatescope auth add-client` output's `client` entries, in {\"clients\": [...]}); hashes only. Or server_clients_secret_arn."
  type        = string
  default     = null
  sensitive   = true
}

variable "server_clients_secret_arn" {
  description = "Existing Secrets Manager secret holding the clients file, instead of server_clients_json."
  type        = string
  default     = null
}

# --- the connector --------------------------------------------------------

variable "deploy_connector" {
  description = "Deploy the connector (needs the server over HTTPS)."
  type        = bool
  default     = true
}

variable "lambda_zip" {
  description = "Path of the zip from scripts/package_lambda.sh."
  type        = string
  default     = "gatescope-lambda-x86_64.zip"
}

variable "lambda_architecture" {
  description = "x86_64 or arm64 (must match the zip)."
  type        = string
  default     = "x86_64"
}

variable "connector_client_id" {
  description = "The connector's OAuth2 client id (an inventory:ingest client of the clients file)."
  type        = string
  default     = "connector"
}

variable "connector_client_secret" {
  description = "The connector's OAuth2 client secret (printed by `gatescope auth add-client`); stored in Secrets Manager. Or connector_client_secret_arn."
  type        = string
  default     = null
  sensitive   = true
}

variable "connector_client_secret_arn" {
  description = "Existing Secrets Manager secret holding the connector's client secret, instead of connector_client_secret."
  type        = string
  default     = null
}

variable "log_group_names" {
  description = "Existing API Gateway log groups (access logs, REST execution logs) to subscribe."
  type        = list(string)
  default     = []
}

variable "create_access_log_group" {
  description = "Create /aws/apigateway/gatescope-access (subscribed) for stages' access logs."
  type        = bool
  default     = true
}

variable "enable_refresh" {
  description = "Schedule the connector's refresh (turns on stage logging, subscribes groups); off since Terraform manages the subscriptions."
  type        = bool
  default     = false
}
