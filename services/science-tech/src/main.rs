//! science-tech binary: the service, or `science-tech audit verify` (docs/security.md).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::app::main(science_tech::NAME, science_tech::build).await
}
