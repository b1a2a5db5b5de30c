//! hrss binary: the service, or `hrss audit verify` (docs/security.md).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::app::main(hrss::NAME, hrss::build).await
}
