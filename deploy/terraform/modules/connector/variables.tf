# Inputs of the connector module. Names and defaults follow deploy/.env.example and
# docs/specs/deployment.md, so that a value means the same thing in the StackSet and here.

variable "function_name" {
  description = "Name of the Lambda function. Its log group is /aws/lambda/<name>; IAM names add the region."
  type        = string
  default     = "gatescope-connector"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,50}$", var.function_name))
    error_message = "function_name: 1 to 50 of letters, digits, '-' and '_' (IAM names append the region)."
  }
}

# --- the code ---------------------------------------------------------------

variable "lambda_zip" {
  description = "Local path of the deployment zip from scripts/package_lambda.sh. Set this, or lambda_s3_bucket and lambda_s3_key."
  type        = string
  default     = null
}

variable "lambda_s3_bucket" {
  description = "S3 bucket holding the deployment zip (in the function's region), instead of lambda_zip."
  type        = string
  default     = null
}

variable "lambda_s3_key" {
  description = "S3 key of the deployment zip in lambda_s3_bucket. Use a content-addressed key so that a new zip updates the function."
  type        = string
  default     = null
}

variable "lambda_architecture" {
  description = "x86_64 or arm64; must match the zip."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of the function in MB (128 to 10240)."
  type        = number
  default     = 256

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240
    error_message = "lambda_memory_mb must be from 128 to 10240."
  }
}

variable "lambda_timeout_seconds" {
  description = "Timeout of one invocation in seconds (10 to 900). The connector stops sending before it and spills the rest."
  type        = number
  default     = 300

  validation {
    condition     = var.lambda_timeout_seconds >= 10 && var.lambda_timeout_seconds <= 900
    error_message = "lambda_timeout_seconds must be from 10 to 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions (1 to 1000), or null for unreserved."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null ? true : (var.reserved_concurrency >= 1 && var.reserved_concurrency <= 1000)
    error_message = "reserved_concurrency must be null or from 1 to 1000."
  }
}

# --- the collector ------------------------------------------------------------

variable "collector_url" {
  description = "Ingest URL of the inventory server, https://HOST/v1/batches. The connector refuses plain http:// except to loopback."
  type        = string

  validation {
    condition     = can(regex("^https://[^/]+", var.collector_url)) || can(regex("^http://(127\\.0\\.0\\.1|localhost|\\[::1\\])([:/]|$)", var.collector_url))
    error_message = "collector_url must be https:// (the connector refuses plain http:// except to loopback). Give the server a certificate (domain_name + route53_zone_id, or certificate_arn)."
  }
}

variable "auth_mode" {
  description = "oauth2 (client credentials against oauth_token_url) or none (no authentication; for tests only)."
  type        = string
  default     = "oauth2"

  validation {
    condition     = contains(["oauth2", "none"], var.auth_mode)
    error_message = "auth_mode must be oauth2 or none."
  }
}

variable "oauth_token_url" {
  description = "OAuth2 token endpoint (https://HOST/oauth2/token for gatescope serve). Required with auth_mode = oauth2."
  type        = string
  default     = ""
}

variable "oauth_client_id" {
  description = "OAuth2 client id of the connector (an inventory:ingest client). Required with auth_mode = oauth2."
  type        = string
  default     = ""
}

variable "oauth_client_secret" {
  description = "OAuth2 client secret; stored in a Secrets Manager secret this module creates (and in the Terraform state), never in the Lambda environment. Leave null and set oauth_client_secret_arn to keep it out of the state."
  type        = string
  default     = null
  sensitive   = true
}

variable "oauth_client_secret_arn" {
  description = "ARN of an existing Secrets Manager secret holding the client secret (plain string), instead of oauth_client_secret."
  type        = string
  default     = null
}

variable "oauth_scope" {
  description = "OAuth2 scope requested."
  type        = string
  default     = "inventory:ingest"
}

variable "secret_recovery_window_days" {
  description = "Recovery window of the created secret on destroy (0 deletes at once, 7 to 30 otherwise)."
  type        = number
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or from 7 to 30."
  }
}

# --- which logs -------------------------------------------------------------

variable "log_group_names" {
  description = "Existing CloudWatch log groups (API Gateway access or execution logs) to subscribe the connector to."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for g in var.log_group_names : can(regex("^[.\\-_/#A-Za-z0-9]{1,512}$", g))])
    error_message = "log_group_names: each must be 1 to 512 of [.-_/#A-Za-z0-9]."
  }
}

variable "create_access_log_group" {
  description = "Create the access log group access_log_group_name (with retention) and subscribe it; point your stages' access logs at its ARN (output access_log_group_arn)."
  type        = bool
  default     = true
}

variable "access_log_group_name" {
  description = "Name of the access log group created when create_access_log_group is true; also the group the refresh sets on HTTP stages without access logs."
  type        = string
  default     = "/aws/apigateway/gatescope-access"

  validation {
    condition     = can(regex("^[.\\-_/#A-Za-z0-9]{1,512}$", var.access_log_group_name))
    error_message = "access_log_group_name must be 1 to 512 of [.-_/#A-Za-z0-9]."
  }
}

variable "subscription_filter_pattern" {
  description = "CloudWatch Logs filter pattern of the subscriptions; empty sends every event (what the connector expects)."
  type        = string
  default     = ""
}

variable "rest_enabled" {
  description = "Collect REST APIs (execution and access logs)."
  type        = bool
  default     = true
}

variable "http_enabled" {
  description = "Collect HTTP and WebSocket APIs (access logs)."
  type        = bool
  default     = true
}

# --- the refresh (off by default: Terraform manages the subscriptions here) ---

variable "enable_refresh" {
  description = "Schedule the connector's refresh ({\"gatescope\":\"refresh\"}) and give it the permissions it needs: find stages, turn on their logging, subscribe their groups. Off by default, since Terraform manages the subscriptions here."
  type        = bool
  default     = false
}

variable "refresh_schedule" {
  description = "EventBridge Scheduler expression of the refresh, rate(N unit) or cron(6 fields)."
  type        = string
  default     = "rate(15 minutes)"

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\(\\S+ \\S+ \\S+ \\S+ \\S+ \\S+\\))$", var.refresh_schedule))
    error_message = "refresh_schedule must be rate(N unit) or cron(6 fields)."
  }
}

variable "discover" {
  description = "true: the refresh finds every API stage of the enabled types in the region and subscribes their groups (outside the Terraform state); false: its scope is the subscribed groups only."
  type        = bool
  default     = false
}

variable "rest_execution_logs_exist" {
  description = "false: the refresh turns on INFO execution logs with data trace on REST stages without them."
  type        = bool
  default     = false
}

variable "http_access_logs_exist" {
  description = "false: the refresh sets JSON access logs to access_log_group_name on HTTP stages without them."
  type        = bool
  default     = false
}

variable "enable_default_stage_logging" {
  description = "The refresh also configures HTTP APIs' $default stages."
  type        = bool
  default     = true
}

variable "apigateway_cloudwatch_role_arn" {
  description = "Role API Gateway writes REST execution logs with (the account setting); null with enable_refresh creates one."
  type        = string
  default     = null
}

# --- behaviour ----------------------------------------------------------------

variable "log_retention_days" {
  description = "Retention of the function's log group, the created access log group, and the groups the refresh creates."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch's values (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }
}

variable "log_level" {
  description = "Connector log level: error, warning, info, debug or trace."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["error", "warning", "info", "debug", "trace"], var.log_level)
    error_message = "log_level must be error, warning, info, debug or trace."
  }
}

variable "content_type_regex" {
  description = "RE2 of response content types kept; null keeps the connector's default, empty keeps all."
  type        = string
  default     = null
}

variable "static_file_regex" {
  description = "RE2 of request paths dropped as static files; null keeps the connector's default, empty drops none."
  type        = string
  default     = null
}

# --- delivery safety net --------------------------------------------------

variable "state_bucket_name" {
  description = "Name of the state bucket (spilled batches); null: gatescope-connector-state-<account>-<region>."
  type        = string
  default     = null
}

variable "state_bucket_force_destroy" {
  description = "Let terraform destroy delete the state bucket with spilled batches still in it."
  type        = bool
  default     = false
}

variable "spill_expiration_days" {
  description = "Days after which spilled batches (spill/) expire."
  type        = number
  default     = 14

  validation {
    condition     = var.spill_expiration_days >= 1
    error_message = "spill_expiration_days must be at least 1."
  }
}

variable "maximum_retry_attempts" {
  description = "Lambda retries of a failed asynchronous invocation (0 to 2) before the on-failure queue."
  type        = number
  default     = 2

  validation {
    condition     = var.maximum_retry_attempts >= 0 && var.maximum_retry_attempts <= 2
    error_message = "maximum_retry_attempts must be from 0 to 2."
  }
}

variable "maximum_event_age_seconds" {
  description = "Oldest an asynchronous event may get before it goes to the on-failure queue (60 to 21600)."
  type        = number
  default     = 21600

  validation {
    condition     = var.maximum_event_age_seconds >= 60 && var.maximum_event_age_seconds <= 21600
    error_message = "maximum_event_age_seconds must be from 60 to 21600."
  }
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) notified when the on-failure queue holds messages."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource that takes tags."
  type        = map(string)
  default     = {}
}
