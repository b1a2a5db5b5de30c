//! science-tech binary.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config: science_tech::Config = platform::config::load(science_tech::NAME)?;
    platform::telemetry::init(science_tech::NAME, &config.platform.telemetry, false);
    let app = science_tech::build(config).await?;
    app.run_until_stopped().await?;
    platform::telemetry::shutdown();
    Ok(())
}
