//! service-center binary.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config: service_center::Config = platform::config::load(service_center::NAME)?;
    platform::telemetry::init(service_center::NAME, &config.platform.telemetry, false);
    let app = service_center::build(config).await?;
    app.run_until_stopped().await?;
    platform::telemetry::shutdown();
    Ok(())
}
