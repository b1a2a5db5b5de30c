//! `Idempotency-Key` of commands, written once for every service.
//!
//! A command sent again with the same key (per caller) and the same request gets the first
//! answer again; the same key with another request is refused with 422
//! `idempotency_key_reused`. The `idempotency` table (platform migrations) keeps, per
//! `(caller, key)`, the SHA-256 of the request's fingerprint (its body without the caller)
//! and a reference to the first response (the id of what the command created), written in
//! the command's own transaction so that the key exists exactly when the answer does.

use sha2::{Digest, Sha256};

use crate::db::{Pool, Tx};
use crate::error::ServiceError;

/// What the table says about a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Never used by this caller: run the command.
    Fresh,
    /// Used before with the same request: the reference of the first response.
    Replay(String),
    /// Used before with another request.
    Mismatch,
}

impl Lookup {
    /// `Fresh` → `None`, `Replay` → the reference, `Mismatch` → 422 [`reused`].
    pub fn replayed(self) -> Result<Option<String>, ServiceError> {
        match self {
            Lookup::Fresh => Ok(None),
            Lookup::Replay(reference) => Ok(Some(reference)),
            Lookup::Mismatch => Err(reused()),
        }
    }
}

/// The 422 of a key sent again with another request body.
pub fn reused() -> ServiceError {
    let mut v = domain::Violations::new();
    v.push("Idempotency-Key", "idempotency_key_reused", "this Idempotency-Key was used with a different request body");
    ServiceError::InvalidArgument(v)
}

/// The stored form of a request's fingerprint.
fn hash(fingerprint: &[u8]) -> String {
    hex::encode(Sha256::digest(fingerprint))
}

/// Whether `caller` used `key` before, and with this request.
pub async fn lookup(pool: &Pool, caller: &str, key: &str, fingerprint: &[u8]) -> Result<Lookup, sqlx::Error> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT request_hash, response_ref FROM idempotency WHERE caller = $1 AND idem_key = $2")
            .bind(caller)
            .bind(key)
            .fetch_optional(pool)
            .await?;
    Ok(match row {
        None => Lookup::Fresh,
        Some((stored, reference)) if stored == hash(fingerprint) => Lookup::Replay(reference),
        Some(_) => Lookup::Mismatch,
    })
}

/// Remembers the first response to `key` in the command's transaction. A concurrent
/// request with the same key makes this fail on the primary key; look it up again then.
pub async fn save(
    tx: &mut Tx<'_>,
    caller: &str,
    key: &str,
    fingerprint: &[u8],
    response: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO idempotency (caller, idem_key, request_hash, response_ref, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(caller)
        .bind(key)
        .bind(hash(fingerprint))
        .bind(response)
        .bind(crate::time::now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DatabaseSettings;
    use crate::db::Db;

    #[tokio::test]
    async fn same_key_same_body_replays_other_body_is_refused_other_caller_is_fresh() {
        let dir = std::env::temp_dir().join(format!("platform-idempotency-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let settings = DatabaseSettings {
            url: Some(format!("sqlite://{}/t.db?mode=rwc", dir.display())),
            ..DatabaseSettings::default()
        };
        let db = Db::connect(&settings, "t", &[]).await.unwrap();
        assert_eq!(lookup(&db.pool, "alice", "k1", b"body").await.unwrap(), Lookup::Fresh);
        let mut tx = db.begin().await.unwrap();
        save(&mut tx, "alice", "k1", b"body", "case-1").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(lookup(&db.pool, "alice", "k1", b"body").await.unwrap(), Lookup::Replay("case-1".into()));
        assert_eq!(lookup(&db.pool, "alice", "k1", b"other").await.unwrap(), Lookup::Mismatch);
        assert_eq!(lookup(&db.pool, "bob", "k1", b"body").await.unwrap(), Lookup::Fresh);
        assert!(matches!(Lookup::Mismatch.replayed(), Err(ServiceError::InvalidArgument(_))));
        // A second save of the same key (a lost race) fails instead of overwriting.
        let mut tx = db.begin().await.unwrap();
        assert!(save(&mut tx, "alice", "k1", b"other", "case-2").await.is_err());
        drop(tx);
        assert_eq!(lookup(&db.pool, "alice", "k1", b"body").await.unwrap(), Lookup::Replay("case-1".into()));
        db.pool.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
