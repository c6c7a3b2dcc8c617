# Inputs of the server module: `gatescope serve` on ECS Fargate behind an ALB
# (docs/specs/server.md for the server's settings).

variable "name" {
  description = "Prefix of every resource name (cluster, service, ALB, security groups, ...)."
  type        = string
  default     = "gatescope"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}$", var.name))
    error_message = "name: 1 to 20 of lowercase letters, digits and '-', starting with a letter (ALB and target group names are short)."
  }
}

variable "image" {
  description = "Container image of the server (deploy/docker/Dockerfile), e.g. <account>.dkr.ecr.<region>.amazonaws.com/gatescope:<tag>."
  type        = string
}

# --- network ------------------------------------------------------------------

variable "create_vpc" {
  description = "true: create a VPC with public subnets (ALB, NAT) and private subnets (tasks); false: use vpc_id, public_subnet_ids and private_subnet_ids."
  type        = bool
  default     = true
}

variable "vpc_cidr" {
  description = "CIDR of the created VPC (create_vpc = true); split into /20 subnets for a /16 (/27s for a /24)."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) && can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR from /16 to /24."
  }
}

variable "az_count" {
  description = "Availability zones of the created VPC (an ALB needs two)."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4
    error_message = "az_count must be from 2 to 4."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for every private subnet (cheaper) instead of one per zone (survives a zone's loss)."
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "Existing VPC (create_vpc = false)."
  type        = string
  default     = null
}

variable "public_subnet_ids" {
  description = "Existing public subnets for the ALB, in two zones at least (create_vpc = false)."
  type        = list(string)
  default     = []
}

variable "private_subnet_ids" {
  description = "Existing private subnets for the tasks, with a route to the internet or VPC endpoints for ECR, Secrets Manager and CloudWatch Logs (create_vpc = false)."
  type        = list(string)
  default     = []
}

variable "allowed_cidrs" {
  description = "IPv4 CIDRs allowed to reach the ALB on 80/443. The connector (a Lambda outside any VPC) calls from AWS's public addresses, so narrowing this needs care."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

# --- TLS and DNS --------------------------------------------------------------

variable "domain_name" {
  description = "DNS name of the server, e.g. inventory.example.com. With route53_zone_id: an ACM certificate (DNS-validated) and an alias record are created. Empty: plain HTTP on the ALB's name."
  type        = string
  default     = ""
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone holding domain_name (its validation records and the alias)."
  type        = string
  default     = ""
}

variable "certificate_arn" {
  description = "Existing ACM certificate for domain_name, used instead of creating one (e.g. DNS not in Route 53; then point domain_name at the alb_dns_name output yourself)."
  type        = string
  default     = ""
}

variable "ssl_policy" {
  description = "ALB TLS policy of the HTTPS listener."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "alb_deletion_protection" {
  description = "Protect the ALB from deletion (terraform destroy then fails until it is turned off)."
  type        = bool
  default     = false
}

# --- the task -----------------------------------------------------------------

variable "container_port" {
  description = "Port the server listens on inside the task (GATESCOPE_SERVER_LISTEN=0.0.0.0:<port>)."
  type        = number
  default     = 8080
}

variable "cpu" {
  description = "Fargate task CPU units (256, 512, 1024, 2048, 4096)."
  type        = number
  default     = 512
}

variable "memory" {
  description = "Fargate task memory in MiB, valid for the cpu chosen. The server's dedupe memory grows with the ingest rate (docs/specs/server.md)."
  type        = number
  default     = 1024
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64; must match the image."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "desired_count" {
  description = "Tasks to run. SQLite allows one (a single writer on one file); more need store = postgres."
  type        = number
  default     = 1
}

variable "store" {
  description = "sqlite: one task, the database on an encrypted EFS file system; postgres: any number of tasks on an external PostgreSQL whose URL is in postgres_url_secret_arn."
  type        = string
  default     = "sqlite"

  validation {
    condition     = contains(["sqlite", "postgres"], var.store)
    error_message = "store must be sqlite or postgres."
  }
}

variable "postgres_url_secret_arn" {
  description = "store = postgres: Secrets Manager secret (plain string) holding postgresql://user:password@host:5432/db; passed as GATESCOPE_SERVER_STORE, never in clear in the task definition."
  type        = string
  default     = null
}

variable "clients_json" {
  description = "The server's OAuth2 clients file (JSON with secret hashes only, from `gatescope auth add-client`); stored in a Secrets Manager secret this module creates. Or set clients_secret_arn."
  type        = string
  default     = null
  sensitive   = true
}

variable "clients_secret_arn" {
  description = "Existing Secrets Manager secret (plain string) holding the clients file, instead of clients_json."
  type        = string
  default     = null
}

variable "no_auth" {
  description = "Serve without authentication (GATESCOPE_SERVER_NO_AUTH). Anyone reaching the ALB can then write and read the inventory: tests only."
  type        = bool
  default     = false
}

variable "server_environment" {
  description = "Further GATESCOPE_SERVER_* settings (docs/specs/server.md), e.g. { GATESCOPE_SERVER_MIN_REQUESTS = \"3\" }. Listen, store, clients and TLS are set by the module."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for k in keys(var.server_environment) : contains([
      "GATESCOPE_SERVER_TOKEN_LIFETIME_SECONDS", "GATESCOPE_SERVER_MAX_REQUEST_BYTES",
      "GATESCOPE_SERVER_MAX_DECODED_BYTES", "GATESCOPE_SERVER_DEDUPE_WINDOW_HOURS",
      "GATESCOPE_SERVER_THREADS", "GATESCOPE_SERVER_COMPACT_EVERY_DELTAS",
      "GATESCOPE_SERVER_COMPACT_INTERVAL_SECONDS", "GATESCOPE_SERVER_POLL_INTERVAL_MS",
      "GATESCOPE_SERVER_RENDER_INTERVAL_MS", "GATESCOPE_SERVER_MIN_REQUESTS",
    ], k)])
    error_message = "server_environment: only GATESCOPE_SERVER_ settings the module does not set itself (TOKEN_LIFETIME_SECONDS, MAX_REQUEST_BYTES, MAX_DECODED_BYTES, DEDUPE_WINDOW_HOURS, THREADS, COMPACT_EVERY_DELTAS, COMPACT_INTERVAL_SECONDS, POLL_INTERVAL_MS, RENDER_INTERVAL_MS, MIN_REQUESTS)."
  }
}

variable "secret_recovery_window_days" {
  description = "Recovery window of the created clients secret on destroy (0 deletes at once, 7 to 30 otherwise)."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or from 7 to 30."
  }
}

variable "log_retention_days" {
  description = "Retention of the tasks' log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch's values (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "enable_execute_command" {
  description = "Allow `aws ecs execute-command` into the task (debugging)."
  type        = bool
  default     = false
}

variable "efs_backup" {
  description = "store = sqlite: turn on AWS Backup's default plan for the EFS file system."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}
