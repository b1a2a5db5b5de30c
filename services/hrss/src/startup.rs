//! Builds the hrss application: category C permits, social insurance, title review.

use std::time::Duration;

use domain::case::Department;
use onething_proto::events::{CaseAccepted, PermitApproved};
use onething_proto::onething::hrss::v1::hrss_service_server::HrssServiceServer;
use onething_proto::onething::permit::v1::permit_service_server::PermitServiceServer;
use permit_review::PermitDesk;
use platform::app::{Application, Base};
use sqlx::migrate::Migrator;

use crate::config::Config;
use crate::grpc::Hrss;
use crate::social_insurance::OnPermitApproved;

pub const NAME: &str = "hrss";
static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

pub async fn build(config: Config) -> anyhow::Result<Application> {
    let base = Base::init(
        NAME,
        config.platform.clone(),
        &[(&permit_review::MIGRATIONS, permit_review::MIGRATIONS_TABLE), (&MIGRATIONS, "_hrss_migrations")],
    )
    .await?;
    let desk = PermitDesk::new(base.clone(), Department::Hrss);
    let (routes, reporter) = platform::grpc::base_routes()?;
    let routes = routes
        .add_service(PermitServiceServer::new(desk.clone()))
        .add_service(HrssServiceServer::new(Hrss { base: base.clone() }));
    reporter.set_serving::<PermitServiceServer<PermitDesk>>().await;
    reporter.set_serving::<HrssServiceServer<Hrss>>().await;
    let consumer = base
        .consumer()
        .on::<CaseAccepted, _>(desk)
        .on::<PermitApproved, _>(OnPermitApproved { delay: Duration::from_millis(config.permit_approved_delay_ms) });
    base.launch(routes, reporter, vec![consumer]).await
}
