//! Builds the service-center application from its configuration.

use onething_proto::onething::servicecenter::v1::service_center_service_server::ServiceCenterServiceServer;
use platform::app::{Application, Base};
use platform::db::Migrations;
use sqlx::migrate::Migrator;

use crate::config::Config;
use crate::dishonesty::RulesCache;
use crate::documents::Documents;
use crate::events::Progress;
use crate::grpc::ServiceCenter;

pub const NAME: &str = "service-center";
pub(crate) static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");
const OWN_MIGRATIONS: &[Migrations] = &[(&MIGRATIONS, "_service_center_migrations")];

pub async fn build(config: Config) -> anyhow::Result<Application> {
    let base = Base::init(NAME, config.platform.clone(), OWN_MIGRATIONS).await?;
    let keyed = crate::applicants::backfill_person_keys(&base).await?;
    if keyed > 0 {
        tracing::info!(cases = keyed, "person keys of earlier cases kept beside them");
    }
    // A foreigner's cases are those whose work permit carries their number.
    let base = base.with_foreigner_cases(
        "SELECT case_id FROM case_items WHERE item = 'work_permit' AND result LIKE '%\"permit_number\":\"' || $1 || '\"%'",
    );
    let (routes, reporter) = platform::grpc::base_routes()?;
    let mut rules = domain::conditions::Rules::gansu();
    rules.province.deadlines.value.committed_working_days = config.committed_working_days;
    rules.province.deadlines.value.statutory_working_days = config.statutory_working_days;
    let rules = RulesCache::load(&base.db, rules).await?;
    let documents_dir =
        config.documents_dir.clone().unwrap_or_else(|| config.platform.database.data_dir.join("documents"));
    let documents = Documents::local(&documents_dir)?;
    let service = ServiceCenterServiceServer::new(ServiceCenter { base: base.clone(), rules, documents })
        // Uploads are up to 10 MiB; gRPC's default limit is 4 MiB.
        .max_decoding_message_size(crate::materials::MAX_BYTES + 64 * 1024);
    let routes = routes.add_service(service);
    reporter.set_serving::<ServiceCenterServiceServer<ServiceCenter>>().await;
    let consumer = base
        .consumer()
        .on::<onething_proto::events::PermitApplicationOpened, _>(Progress)
        .on::<onething_proto::events::PermitApproved, _>(Progress)
        .on::<onething_proto::events::PermitRefused, _>(Progress)
        .on::<onething_proto::events::SocialInsuranceRegistered, _>(Progress)
        .on::<onething_proto::events::TitleReviewQueued, _>(Progress)
        .on::<onething_proto::events::ResidenceCaseOpened, _>(Progress)
        .on::<onething_proto::events::ItemProgressed, _>(Progress)
        .on::<onething_proto::events::PermitSupplementRequested, _>(Progress)
        .on::<onething_proto::events::PermitChanged, _>(Progress)
        .on::<onething_proto::events::PermitExtended, _>(Progress)
        .on::<onething_proto::events::PermitCancelled, _>(Progress)
        .on::<onething_proto::events::TitleReviewDecided, _>(Progress)
        .on::<onething_proto::events::ResidencePermitIssued, _>(Progress);
    base.launch(routes, reporter, vec![consumer]).await
}
