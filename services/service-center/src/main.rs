//! service-center binary: the service, or `service-center audit verify` (docs/security.md).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::app::main(service_center::NAME, service_center::build).await
}
