# `gatescope serve` as an ECS service on Fargate in the private subnets. Fargate rather than
# the EC2 launch type: no instances, AMIs or Auto Scaling group to patch and size, and awsvpc
# networking gives the task its own security group (reachable from the ALB only).

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  tags      = merge({ "gatescope:component" = "server" }, var.tags)

  sqlite = var.store == "sqlite"
  auth   = !var.no_auth

  data_dir     = "/var/lib/gatescope"
  clients_file = "/run/gatescope/clients.json"

  create_clients_secret = local.auth && var.clients_secret_arn == null
  clients_secret_arn    = local.auth ? (local.create_clients_secret ? aws_secretsmanager_secret.clients[0].arn : var.clients_secret_arn) : null

  # Settings the server reads (docs/specs/server.md). No secret here: the clients file and a
  # PostgreSQL URL (which carries a password) come from Secrets Manager through `secrets`.
  server_environment = merge(
    var.server_environment,
    { GATESCOPE_SERVER_LISTEN = "0.0.0.0:${var.container_port}" },
    local.sqlite ? { GATESCOPE_SERVER_STORE = "sqlite:${local.data_dir}/inventory.db" } : {},
    local.auth ? { GATESCOPE_SERVER_CLIENTS_FILE = local.clients_file } : { GATESCOPE_SERVER_NO_AUTH = "true" },
  )
  # GS_CLIENTS_JSON is not a GATESCOPE_SERVER_* name (the server refuses unknown ones): the
  # image's entrypoint writes it to GATESCOPE_SERVER_CLIENTS_FILE and unsets it.
  server_secrets = concat(
    local.auth ? [{ name = "GS_CLIENTS_JSON", valueFrom = local.clients_secret_arn }] : [],
    local.sqlite ? [] : [{ name = "GATESCOPE_SERVER_STORE", valueFrom = var.postgres_url_secret_arn }],
  )
  secret_arns = compact([local.clients_secret_arn, local.sqlite ? null : var.postgres_url_secret_arn])
}

resource "aws_ecs_cluster" "this" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  tags = local.tags
}

resource "aws_cloudwatch_log_group" "server" {
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_secretsmanager_secret" "clients" {
  count                   = local.create_clients_secret ? 1 : 0
  name_prefix             = "${var.name}-server-clients-"
  description             = "gatescope serve OAuth2 clients file (secret hashes only)"
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = local.tags
}

resource "aws_secretsmanager_secret_version" "clients" {
  count         = local.create_clients_secret ? 1 : 0
  secret_id     = aws_secretsmanager_secret.clients[0].id
  secret_string = var.clients_json
}

# --- IAM ----------------------------------------------------------------------

data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

# The execution role: what ECS needs to start the task (pull, log, read the secrets).
resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution-${local.region}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
  tags               = local.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = ["arn:${local.partition}:ecr:*:*:repository/*"]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.server.arn}:*"]
  }
  dynamic "statement" {
    for_each = local.auth || !local.sqlite ? [1] : []
    content {
      sid       = "Secrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.secret_arns
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "gatescope-server-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# The task role: what the server itself may do (mount its file system; exec when enabled).
resource "aws_iam_role" "task" {
  name               = "${var.name}-task-${local.region}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
  tags               = local.tags
}

data "aws_iam_policy_document" "task" {
  dynamic "statement" {
    for_each = local.sqlite ? [1] : []
    content {
      sid       = "EfsMount"
      actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      resources = [aws_efs_file_system.data[0].arn]
      condition {
        test     = "StringEquals"
        variable = "elasticfilesystem:AccessPointArn"
        values   = [aws_efs_access_point.data[0].arn]
      }
    }
  }
  dynamic "statement" {
    for_each = var.enable_execute_command ? [1] : []
    content {
      sid = "ExecuteCommand"
      actions = [
        "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  # The server calls no AWS API itself; without EFS or exec the role has no policy at all.
  count  = local.sqlite || var.enable_execute_command ? 1 : 0
  name   = "gatescope-server-task"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# --- storage: SQLite on EFS -----------------------------------------------

resource "aws_efs_file_system" "data" {
  count            = local.sqlite ? 1 : 0
  creation_token   = "${var.name}-data"
  encrypted        = true
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"
  tags             = merge(local.tags, { Name = "${var.name}-data" })
}

resource "aws_efs_backup_policy" "data" {
  count          = local.sqlite ? 1 : 0
  file_system_id = aws_efs_file_system.data[0].id
  backup_policy {
    status = var.efs_backup ? "ENABLED" : "DISABLED"
  }
}

resource "aws_efs_mount_target" "data" {
  count           = local.sqlite ? (var.create_vpc ? var.az_count : length(var.private_subnet_ids)) : 0
  file_system_id  = aws_efs_file_system.data[0].id
  subnet_id       = local.private_subnet_ids[count.index]
  security_groups = [aws_security_group.efs[0].id]
}

resource "aws_efs_access_point" "data" {
  count          = local.sqlite ? 1 : 0
  file_system_id = aws_efs_file_system.data[0].id

  # The image's non-root user (deploy/docker/Dockerfile); the directory is created for it.
  posix_user {
    uid = 10001
    gid = 10001
  }
  root_directory {
    path = "/gatescope"
    creation_info {
      owner_uid   = 10001
      owner_gid   = 10001
      permissions = "0750"
    }
  }
  tags = local.tags
}

data "aws_iam_policy_document" "efs" {
  count = local.sqlite ? 1 : 0
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["*"]
    resources = [aws_efs_file_system.data[0].arn]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
  statement {
    sid       = "TaskThroughAccessPoint"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.data[0].arn]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.task.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "elasticfilesystem:AccessPointArn"
      values   = [aws_efs_access_point.data[0].arn]
    }
  }
}

resource "aws_efs_file_system_policy" "data" {
  count          = local.sqlite ? 1 : 0
  file_system_id = aws_efs_file_system.data[0].id
  policy         = data.aws_iam_policy_document.efs[0].json
}

# --- the task and the service ---------------------------------------------

resource "aws_ecs_task_definition" "server" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  dynamic "volume" {
    for_each = local.sqlite ? [1] : []
    content {
      name = "data"
      efs_volume_configuration {
        file_system_id     = aws_efs_file_system.data[0].id
        transit_encryption = "ENABLED"
        authorization_config {
          access_point_id = aws_efs_access_point.data[0].id
          iam             = "ENABLED"
        }
      }
    }
  }

  container_definitions = jsonencode([{
    name         = "gatescope"
    image        = var.image
    essential    = true
    portMappings = [{ containerPort = var.container_port, protocol = "tcp" }]
    environment  = [for k in sort(keys(local.server_environment)) : { name = k, value = local.server_environment[k] }]
    secrets      = local.server_secrets
    mountPoints  = local.sqlite ? [{ sourceVolume = "data", containerPath = local.data_dir, readOnly = false }] : []
    # SIGTERM: the server finishes the requests in flight and writes a snapshot.
    stopTimeout     = 60
    linuxParameters = { initProcessEnabled = true }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.server.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "serve"
      }
    }
  }])

  tags = local.tags

  lifecycle {
    precondition {
      condition     = !local.sqlite || var.desired_count <= 1
      error_message = "store = sqlite runs one task (one writer on one database file); use store = postgres for desired_count > 1."
    }
    precondition {
      condition     = local.sqlite || var.postgres_url_secret_arn != null
      error_message = "store = postgres needs postgres_url_secret_arn (a secret holding the postgresql:// URL)."
    }
    precondition {
      condition     = !local.auth || nonsensitive(var.clients_json != null) || var.clients_secret_arn != null
      error_message = "Set clients_json or clients_secret_arn (the server's OAuth2 clients file), or no_auth = true for a test deployment."
    }
    precondition {
      condition     = var.create_vpc || (var.vpc_id != null && length(var.public_subnet_ids) >= 2 && length(var.private_subnet_ids) >= 1)
      error_message = "create_vpc = false needs vpc_id, two public_subnet_ids at least (ALB) and private_subnet_ids."
    }
  }
}

resource "aws_ecs_service" "server" {
  name                   = var.name
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.server.arn
  desired_count          = var.desired_count
  launch_type            = "FARGATE"
  platform_version       = "1.4.0"
  enable_execute_command = var.enable_execute_command
  propagate_tags         = "SERVICE"

  # SQLite: the old task stops before the new one starts, so two servers never write one
  # database file over NFS (a deployment costs a short outage). PostgreSQL: rolling.
  deployment_minimum_healthy_percent = local.sqlite ? 0 : 50
  deployment_maximum_percent         = local.sqlite ? 100 : 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # Start-up replays the deltas after the last snapshot before /readyz answers.
  health_check_grace_period_seconds = 120

  network_configuration {
    subnets          = local.private_subnet_ids
    security_groups  = [aws_security_group.task.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = "gatescope"
    container_port   = var.container_port
  }

  tags = local.tags

  depends_on = [
    aws_lb_listener.http,
    aws_lb_listener.https,
    aws_efs_mount_target.data,
    aws_iam_role_policy.execution,
  ]
}
