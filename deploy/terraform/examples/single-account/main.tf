# One account, one region: the inventory server on ECS behind an ALB, and the connector
# subscribed to the API Gateway log groups, delivering to it over HTTPS with OAuth2.

module "server" {
  source = "../../modules/server"

  name  = var.name
  image = var.server_image

  create_vpc         = var.create_vpc
  vpc_id             = var.vpc_id
  public_subnet_ids  = var.public_subnet_ids
  private_subnet_ids = var.private_subnet_ids

  domain_name     = var.domain_name
  route53_zone_id = var.route53_zone_id
  certificate_arn = var.certificate_arn

  clients_json       = var.server_clients_json
  clients_secret_arn = var.server_clients_secret_arn

  log_retention_days = var.log_retention_days
}

# The connector refuses a plain-http collector; stop at plan time rather than half-way
# through an apply.
resource "terraform_data" "tls_required" {
  count = var.deploy_connector ? 1 : 0

  lifecycle {
    precondition {
      condition     = module.server.tls_enabled
      error_message = "The connector needs the server over HTTPS: set domain_name and route53_zone_id (or certificate_arn), or deploy_connector = false to deploy the server alone."
    }
  }
}

module "connector" {
  source = "../../modules/connector"
  count  = var.deploy_connector ? 1 : 0

  lambda_zip          = var.lambda_zip
  lambda_architecture = var.lambda_architecture

  collector_url           = module.server.collector_url
  oauth_token_url         = module.server.token_url
  oauth_client_id         = var.connector_client_id
  oauth_client_secret     = var.connector_client_secret
  oauth_client_secret_arn = var.connector_client_secret_arn

  log_group_names         = var.log_group_names
  create_access_log_group = var.create_access_log_group
  enable_refresh          = var.enable_refresh

  log_retention_days = var.log_retention_days

  depends_on = [terraform_data.tls_required]
}
