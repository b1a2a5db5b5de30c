//! The first answer to a command sent again with the same `Idempotency-Key`.

use domain::Actor;
use platform::ServiceError;
use platform::app::Base;
use platform::idempotency;

/// The reference of the first answer to a command sent again with the same
/// `Idempotency-Key` (scoped by `scope`, so keys of different commands never meet), or 422
/// when the key came with another request.
pub async fn earlier_answer(
    base: &Base,
    actor: &Actor,
    scope: &str,
    key: Option<&str>,
    fingerprint: &[u8],
) -> Result<Option<String>, ServiceError> {
    let Some(key) = key else { return Ok(None) };
    idempotency::lookup(&base.db.pool, &actor.subject, &format!("{scope}:{key}"), fingerprint).await?.replayed()
}

/// Remembers the answer to a command under its key, in the command's transaction.
pub async fn remember_answer(
    tx: &mut platform::db::Tx<'_>,
    actor: &Actor,
    scope: &str,
    key: Option<&str>,
    fingerprint: &[u8],
    reference: &str,
) -> Result<(), sqlx::Error> {
    let Some(key) = key else { return Ok(()) };
    idempotency::save(tx, &actor.subject, &format!("{scope}:{key}"), fingerprint, reference).await
}
