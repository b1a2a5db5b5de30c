//! Builds the hrss application: category C permits, social insurance, title review.

use std::sync::Arc;

use domain::case::Department;
use onething_proto::events::{CaseAccepted, PermitApproved, PermitCancelled, PermitChanged, PermitExtended};
use onething_proto::onething::hrss::v1::hrss_service_server::HrssServiceServer;
use onething_proto::onething::permit::v1::permit_service_server::PermitServiceServer;
use permit_review::PermitDesk;
use platform::app::{Application, Base};
use platform::config::ServiceConfig;
use platform::events::consumer::Handler;
use sqlx::migrate::Migrator;

use crate::cards::CardDesk;
use crate::config::Config;
use crate::grpc::Hrss;
use crate::identity::{IdentityVerifier, PermitIdentityVerifier};
use crate::lockout::Policy;
use crate::permit_lifecycle::OnPermitLifecycle;
use crate::social_insurance::OnPermitApproved;
use crate::ssn::{ProjectSsn, SsnGenerator};

pub const NAME: &str = "hrss";
static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

/// The replaceable parts of hrss: a deployment (or a test) injects its own through
/// [`build_with`].
#[derive(Clone)]
pub struct Parts {
    /// Makes new social security numbers (built in: the project's layout, `ssn.rs`).
    pub ssn: Arc<dyn SsnGenerator>,
    /// The real-person check of the card (built in: compare with the permit's identity).
    pub verifier: Arc<dyn IdentityVerifier>,
    /// Wraps the `permit-approved` handler (social insurance registration) before it is
    /// registered (built in: unchanged). The fan-out test wraps it in a slow handler.
    pub wrap_permit_approved: Arc<dyn Fn(PermitApprovedHandler) -> PermitApprovedHandler + Send + Sync>,
}

/// The `permit-approved` handler as [`Parts::wrap_permit_approved`] receives and returns it.
pub type PermitApprovedHandler = Arc<dyn Handler<PermitApproved>>;

impl Parts {
    /// The built-in parts, as configured.
    pub fn from_config(config: &Config) -> Parts {
        Parts {
            ssn: Arc::new(ProjectSsn { prefix: config.social_security_number.prefix.clone() }),
            verifier: Arc::new(PermitIdentityVerifier),
            wrap_permit_approved: Arc::new(|handler| handler),
        }
    }
}

pub async fn build(config: Config) -> anyhow::Result<Application> {
    let parts = Parts::from_config(&config);
    build_with(config, parts).await
}

pub async fn build_with(config: Config, parts: Parts) -> anyhow::Result<Application> {
    ServiceConfig::validate(&config)?;
    let base = Base::init(
        NAME,
        config.platform.clone(),
        &[(&permit_review::MIGRATIONS, permit_review::MIGRATIONS_TABLE), (&MIGRATIONS, "_hrss_migrations")],
    )
    .await?;
    // Fails at start-up, not at the first download, when the font is missing.
    let font = permit_review::document::DocumentFont::load(&config.permit_document.font_path)?;
    let desk = PermitDesk::new(base.clone(), Department::Hrss)?.with_font(font);
    // Permits issued before the lifelong-number table get their person's row.
    desk.backfill_persons().await?;
    let cards = CardDesk {
        base: base.clone(),
        verifier: parts.verifier,
        policy: Policy {
            max_failures: config.card.max_failed_attempts,
            lock_ms: (config.card.lock_minutes as i64).saturating_mul(60_000),
        },
    };
    let (routes, reporter) = platform::grpc::base_routes()?;
    let routes = routes.add_service(PermitServiceServer::new(desk.clone())).add_service(HrssServiceServer::new(Hrss {
        base: base.clone(),
        cards,
        evidence: base.sharing()?,
    }));
    reporter.set_serving::<PermitServiceServer<PermitDesk>>().await;
    reporter.set_serving::<HrssServiceServer<Hrss>>().await;
    let consumer = base
        .consumer()
        .on::<onething_proto::events::CaseSupplemented, _>(desk.clone())
        .on::<CaseAccepted, _>(desk)
        .on::<PermitApproved, _>((parts.wrap_permit_approved)(Arc::new(OnPermitApproved {
            ssn: parts.ssn,
            sharing: base.sharing()?,
        })))
        .on::<PermitChanged, _>(OnPermitLifecycle)
        .on::<PermitExtended, _>(OnPermitLifecycle)
        .on::<PermitCancelled, _>(OnPermitLifecycle);
    // A foreigner's cases here: their permit (category C) and their registration and card.
    let base = base.with_foreigner_cases(
        "SELECT case_id FROM permits WHERE permit_number = $1 UNION SELECT case_id FROM si_registrations \
         WHERE permit_number = $1 UNION SELECT case_id FROM si_cards WHERE permit_number = $1",
    );
    base.launch(routes, reporter, vec![consumer]).await
}
