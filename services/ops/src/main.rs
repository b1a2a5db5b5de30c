//! ops binary: the service, or `ops audit verify` (docs/security.md).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::app::main(ops::NAME, ops::build).await
}
