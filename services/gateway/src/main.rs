//! gateway binary.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config: gateway::Config = platform::config::load(gateway::NAME)?;
    platform::telemetry::init(gateway::NAME, &config.platform.telemetry, false);
    let app = gateway::build(config).await?;
    app.run_until_stopped().await?;
    platform::telemetry::shutdown();
    Ok(())
}
