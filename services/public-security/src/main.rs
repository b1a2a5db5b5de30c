//! public-security binary.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config: public_security::Config = platform::config::load(public_security::NAME)?;
    platform::telemetry::init(public_security::NAME, &config.platform.telemetry, false);
    let app = public_security::build(config).await?;
    app.run_until_stopped().await?;
    platform::telemetry::shutdown();
    Ok(())
}
