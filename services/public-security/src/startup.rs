//! Builds the public-security application.

use onething_proto::events::{PermitApproved, PermitCancelled, PermitChanged, PermitExtended};
use onething_proto::onething::publicsecurity::v1::public_security_service_server::PublicSecurityServiceServer;
use platform::app::{Application, Base};
use sqlx::migrate::Migrator;

use crate::config::Config;
use crate::desk::Desk;
use crate::grpc::PublicSecurity;
use crate::residence::{OnPermitApproved, OnPermitCancelled, OnPermitChanged, OnPermitExtended};

pub const NAME: &str = "public-security";
pub(crate) static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

pub async fn build(config: Config) -> anyhow::Result<Application> {
    let base = Base::init(NAME, config.platform, &[(&MIGRATIONS, "_public_security_migrations")]).await?;
    let (routes, reporter) = platform::grpc::base_routes()?;
    let routes = routes.add_service(PublicSecurityServiceServer::new(PublicSecurity {
        desk: Desk::new(base.clone(), config.residence),
    }));
    reporter.set_serving::<PublicSecurityServiceServer<PublicSecurity>>().await;
    let consumer = base
        .consumer()
        .on::<PermitApproved, _>(OnPermitApproved { sharing: base.sharing()? })
        .on::<PermitCancelled, _>(OnPermitCancelled)
        .on::<PermitExtended, _>(OnPermitExtended)
        .on::<PermitChanged, _>(OnPermitChanged);
    // A foreigner's residence file is found by their work permit number.
    let base = base.with_foreigner_cases("SELECT case_id FROM residence_cases WHERE permit_number = $1");
    base.launch(routes, reporter, vec![consumer]).await
}
