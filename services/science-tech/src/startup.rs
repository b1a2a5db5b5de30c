//! Builds the science-tech application.

use domain::case::Department;
use onething_proto::events::{CaseAccepted, CaseSupplemented};
use onething_proto::onething::permit::v1::permit_service_server::PermitServiceServer;
use onething_proto::onething::sciencetech::v1::science_tech_service_server::ScienceTechServiceServer;
use permit_review::PermitDesk;
use permit_review::document::DocumentFont;
use platform::app::{Application, Base};

use crate::config::Config;
use crate::grpc::ScienceTech;

pub const NAME: &str = "science-tech";

pub async fn build(config: Config) -> anyhow::Result<Application> {
    let base =
        Base::init(NAME, config.platform, &[(&permit_review::MIGRATIONS, permit_review::MIGRATIONS_TABLE)]).await?;
    // Fails at start-up, not at the first download, when the font is missing.
    let font = DocumentFont::load(&config.permit_document.font_path)?;
    let desk = PermitDesk::new(base.clone(), Department::ScienceTech)?.with_font(font);
    // Permits issued before the lifelong-number table get their person's row.
    desk.backfill_persons().await?;
    let (routes, reporter) = platform::grpc::base_routes()?;
    let routes = routes
        .add_service(PermitServiceServer::new(desk.clone()))
        .add_service(ScienceTechServiceServer::new(ScienceTech));
    reporter.set_serving::<PermitServiceServer<PermitDesk>>().await;
    reporter.set_serving::<ScienceTechServiceServer<ScienceTech>>().await;
    let consumer = base.consumer().on::<CaseSupplemented, _>(desk.clone()).on::<CaseAccepted, _>(desk);
    // A foreigner's cases here: those of their work permit (categories A and B).
    let base = base.with_foreigner_cases("SELECT case_id FROM permits WHERE permit_number = $1");
    base.launch(routes, reporter, vec![consumer]).await
}
