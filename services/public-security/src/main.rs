//! public-security binary: the service, or `public-security audit verify` (docs/security.md).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::app::main(public_security::NAME, public_security::build).await
}
