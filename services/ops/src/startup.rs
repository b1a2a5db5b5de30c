//! Builds the ops application: its database, the stream reader, the background refresh of
//! the broker and service figures, the pruning of old event rows, and `OpsService`.

use std::time::Duration;

use onething_proto::onething::ops::v1::ops_service_server::OpsServiceServer;
use platform::app::{Application, Base};
use sqlx::migrate::Migrator;

use crate::config::Config;
use crate::grpc::Ops;
use crate::overview::Overviews;
use crate::{store, streams};

pub const NAME: &str = "ops";

pub(crate) static MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

pub async fn build(config: Config) -> anyhow::Result<Application> {
    let base = Base::init(NAME, config.platform, &[(&MIGRATIONS, "_ops_migrations")]).await?;
    let overviews = Overviews::new(base.clone(), &config.services)?;
    let (routes, reporter) = platform::grpc::base_routes()?;
    let routes = routes.add_service(OpsServiceServer::new(Ops { overviews: overviews.clone() }));
    reporter.set_serving::<OpsServiceServer<Ops>>().await;
    let mut app = base.clone().launch(routes, reporter, Vec::new()).await?;
    let (db, kafka) = (base.db.clone(), base.settings.kafka.clone());
    app.spawn(move |stop| streams::run(db, kafka, stop));
    app.spawn(move |stop| overviews.run(stop));
    let retention_ms = i64::from(config.ops.retention_days) * 86_400_000;
    app.spawn(move |stop| async move {
        loop {
            if let Err(e) = store::prune(&base.db.pool, platform::time::now_ms() - retention_ms).await {
                tracing::warn!(error = %e, "old ops events not pruned");
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(3600)) => {},
                _ = stop.clone().triggered() => return Ok(()),
            }
        }
    });
    Ok(app)
}
