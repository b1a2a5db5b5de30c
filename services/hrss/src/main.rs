//! hrss binary.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config: hrss::Config = platform::config::load(hrss::NAME)?;
    platform::telemetry::init(hrss::NAME, &config.platform.telemetry, false);
    let app = hrss::build(config).await?;
    app.run_until_stopped().await?;
    platform::telemetry::shutdown();
    Ok(())
}
