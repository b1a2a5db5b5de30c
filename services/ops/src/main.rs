//! ops binary.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config: ops::Config = platform::config::load(ops::NAME)?;
    platform::telemetry::init(ops::NAME, &config.platform.telemetry, false);
    let app = ops::build(config).await?;
    app.run_until_stopped().await?;
    platform::telemetry::shutdown();
    Ok(())
}
