//! Database access through sqlx's `Any` driver: one code path for PostgreSQL (production)
//! and SQLite (embedded default). Portable rules: timestamps as BIGINT epoch ms, flags as
//! BIGINT 0/1, ids and JSON as TEXT, bytes as base64 TEXT, `$n` placeholders.
//!
//! Optimistic locking, one way everywhere: a row that is read and then changed carries a
//! `version BIGINT NOT NULL DEFAULT 0`, read with the row; every change is
//! `UPDATE … SET …, version = version + 1 WHERE <key> = $n AND version = $m` and goes
//! through [`versioned`], so a change from a stale read is the lost race.

use std::str::FromStr;

use sqlx::any::{AnyPoolOptions, AnyQueryResult, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use crate::ServiceError;
use crate::config::DatabaseSettings;

pub type Pool = AnyPool;
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;
/// A migrator and the name of its history table.
pub type Migrations = (&'static Migrator, &'static str);

/// Tables of the shared plumbing: outbox, inbox, idempotency keys, audit log.
static PLATFORM_MIGRATIONS: Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl FromStr for Backend {
    type Err = anyhow::Error;
    fn from_str(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            anyhow::bail!("unsupported database url scheme")
        }
    }
}

/// A pool plus the backend it talks to.
#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    pub backend: Backend,
}

impl Db {
    /// Connects (creating the SQLite file when needed) and applies the platform's and
    /// then the service's migrations.
    /// `migrations` pairs each migrator with the table that keeps its history, so a service
    /// can combine its own migrations with those of a shared library crate.
    pub async fn connect(settings: &DatabaseSettings, service: &str, migrations: &[Migrations]) -> anyhow::Result<Db> {
        install_default_drivers();
        let url = match &settings.url {
            Some(u) => u.clone(),
            None => {
                std::fs::create_dir_all(&settings.data_dir)?;
                format!("sqlite://{}/{service}.db?mode=rwc", settings.data_dir.display())
            }
        };
        let backend: Backend = url.parse()?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite {
                settings.max_connections.min(4)
            } else {
                settings.max_connections
            })
            .acquire_timeout(std::time::Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; wait instead of failing on a lock.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot connect to the {backend:?} database for {service}: {e}"))?;
        // Two histories in two tables: the platform's and the service's own.
        with_table(&PLATFORM_MIGRATIONS, "_platform_migrations").run(&pool).await?;
        for (m, table) in migrations {
            with_table(m, table).run(&pool).await?;
        }
        Ok(Db { pool, backend })
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a transaction that reads first and writes later would otherwise fail
    /// with "database is locked" when another writer committed in between, and the busy
    /// timeout cannot help with that.
    pub async fn begin(&self) -> Result<Tx<'static>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// `FOR UPDATE SKIP LOCKED` where the backend has it (SQLite has one writer anyway).
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        }
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// The next value of the serial `scope` in the counter table `table` (a service's own
/// `(scope TEXT PRIMARY KEY, value BIGINT)` table): 1 the first time, then one more each
/// call, inside the caller's transaction so that a rolled-back number is never used.
pub async fn next_serial(tx: &mut Tx<'_>, table: &'static str, scope: &str) -> Result<i64, sqlx::Error> {
    let (v,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} (scope, value) VALUES ($1, 1) ON CONFLICT (scope) DO UPDATE SET value = {table}.value + 1 \
         RETURNING value"
    )))
    .bind(scope)
    .fetch_one(&mut **tx)
    .await?;
    Ok(v)
}

/// The outcome of an UPDATE made at the version its row was read at: no row changed means
/// that someone else changed `what` since it was read: the lost race,
/// [`ServiceError::Aborted`] (gRPC `ABORTED`, HTTP 409 `concurrent-change`). The caller may
/// reload and retry; a consumer retries the event on the new state.
pub fn versioned(done: AnyQueryResult, what: &str) -> Result<(), ServiceError> {
    if done.rows_affected() == 0 {
        return Err(ServiceError::Aborted(format!("the {what} changed meanwhile")));
    }
    Ok(())
}

fn with_table(m: &Migrator, table: &'static str) -> Migrator {
    Migrator { migrations: m.migrations.clone(), table_name: table.into(), ..Migrator::DEFAULT }
}
