//! `si_cards`: one social security card per social security number, with the work permit
//! loaded on it. Identity data is kept only as a salted digest. Every change of a card
//! read before is made at the `version` it was read at and moves it on ([`versioned`]).

use domain::states::card::{CardPermitStatus, CardState, CardStatus};
use platform::ServiceError;
use platform::db::{Pool, Tx, versioned};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardRow {
    pub social_security_number: String,
    pub case_id: String,
    pub permit_number: String,
    pub permit_valid_from: String,
    pub permit_valid_until: String,
    #[sqlx(try_from = "String")]
    pub permit_status: CardPermitStatus,
    #[sqlx(try_from = "String")]
    pub status: CardStatus,
    pub identity_salt: String,
    pub identity_digest: String,
    pub failed_attempts: i64,
    pub locked_until: Option<i64>,
    pub issued_at: i64,
    pub activated_at: Option<i64>,
    /// Time (epoch ms) of the permit event the permit information comes from.
    pub permit_info_at: i64,
    /// Optimistic lock: a change is made only at the version it was read at.
    pub version: i64,
}

const COLUMNS: &str = "social_security_number, case_id, permit_number, permit_valid_from, permit_valid_until, \
     permit_status, status, identity_salt, identity_digest, failed_attempts, locked_until, issued_at, activated_at, \
     permit_info_at, version";

/// A permit loaded on the card of `social_security_number`.
pub struct LoadedPermit<'a> {
    pub social_security_number: &'a str,
    pub case_id: &'a str,
    pub permit_number: &'a str,
    pub valid_from: &'a str,
    pub valid_until: &'a str,
    /// Time (epoch ms) of the permit event the information comes from.
    pub info_at: i64,
    pub identity_salt: &'a str,
    pub identity_digest: &'a str,
    /// The state of a card issued with this permit.
    pub issued: CardState,
    pub at: i64,
}

/// Issues the card with the permit, or loads the permit on the existing card (its status
/// kept, its version moved on) unless the card holds newer information (`permit_info_at`).
/// One statement that reads nothing first, so it needs no version of its own.
pub async fn load_permit(tx: &mut Tx<'_>, p: &LoadedPermit<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO si_cards (social_security_number, case_id, permit_number, permit_valid_from, permit_valid_until, \
         permit_status, permit_info_at, status, identity_salt, identity_digest, failed_attempts, issued_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $10, $6, $11, $7, $8, 0, $9, $9) \
         ON CONFLICT (social_security_number) DO UPDATE SET case_id = excluded.case_id, \
         permit_number = excluded.permit_number, permit_valid_from = excluded.permit_valid_from, \
         permit_valid_until = excluded.permit_valid_until, permit_status = excluded.permit_status, \
         permit_info_at = excluded.permit_info_at, identity_salt = excluded.identity_salt, \
         identity_digest = excluded.identity_digest, updated_at = excluded.updated_at, version = si_cards.version + 1 \
         WHERE si_cards.permit_info_at <= excluded.permit_info_at",
    )
    .bind(p.social_security_number)
    .bind(p.case_id)
    .bind(p.permit_number)
    .bind(p.valid_from)
    .bind(p.valid_until)
    .bind(p.info_at)
    .bind(p.identity_salt)
    .bind(p.identity_digest)
    .bind(p.at)
    .bind(p.issued.permit.as_str())
    .bind(p.issued.status.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The card carrying the permit of `case_id` (the latest, should there be two).
pub async fn by_case(tx: &mut Tx<'_>, case_id: &str, permit_number: &str) -> Result<Option<CardRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM si_cards WHERE case_id = $1 AND permit_number = $2 ORDER BY permit_info_at DESC LIMIT 1"
    )))
    .bind(case_id)
    .bind(permit_number)
    .fetch_optional(&mut **tx)
    .await
}

/// The card carrying `permit_number` (the latest, should a person ever have two).
pub async fn by_permit(pool: &Pool, permit_number: &str) -> Result<Option<CardRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM si_cards WHERE permit_number = $1 ORDER BY permit_info_at DESC LIMIT 1"
    )))
    .bind(permit_number)
    .fetch_optional(pool)
    .await
}

/// The social security number of the card with `permit_number` and/or
/// `social_security_number` (an empty one matches any).
pub async fn find(
    pool: &Pool,
    permit_number: &str,
    social_security_number: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT social_security_number FROM si_cards WHERE ($1 = '' OR permit_number = $1) \
         AND ($2 = '' OR social_security_number = $2) ORDER BY permit_info_at DESC LIMIT 1",
    )
    .bind(permit_number)
    .bind(social_security_number)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(s,)| s))
}

/// Takes the card's row lock (PostgreSQL) or the write lock (SQLite) and reads the card,
/// so that concurrent checks of one card are counted one after the other. (A lock, not a
/// change: the version stays.)
pub async fn lock(tx: &mut Tx<'_>, social_security_number: &str, at: i64) -> Result<CardRow, sqlx::Error> {
    sqlx::query("UPDATE si_cards SET updated_at = $1 WHERE social_security_number = $2")
        .bind(at)
        .bind(social_security_number)
        .execute(&mut **tx)
        .await?;
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM si_cards WHERE social_security_number = $1")))
        .bind(social_security_number)
        .fetch_one(&mut **tx)
        .await
}

/// The new validity of the permit on the card, from a permit event of `info_at`.
pub struct Validity<'a> {
    /// Empty keeps the card's.
    pub valid_from: &'a str,
    pub valid_until: &'a str,
    pub info_at: i64,
}

/// The card as `read` takes the permit's new validity (its permit `to`).
pub async fn follow_permit(
    tx: &mut Tx<'_>,
    read: &CardRow,
    to: CardPermitStatus,
    v: &Validity<'_>,
    at: i64,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE si_cards SET permit_valid_from = CASE WHEN $3 = '' THEN permit_valid_from ELSE $3 END, \
         permit_valid_until = $4, permit_info_at = $5, updated_at = $6, permit_status = $7, version = version + 1 \
         WHERE social_security_number = $1 AND version = $2",
    )
    .bind(&read.social_security_number)
    .bind(read.version)
    .bind(v.valid_from)
    .bind(v.valid_until)
    .bind(v.info_at)
    .bind(at)
    .bind(to.as_str())
    .execute(&mut **tx)
    .await?;
    versioned(done, "social security card")
}

/// The permit on the card as `read` moves `to` (cancelled), from a permit event of `info_at`.
pub async fn cancel_permit(
    tx: &mut Tx<'_>,
    read: &CardRow,
    to: CardPermitStatus,
    info_at: i64,
    at: i64,
) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE si_cards SET permit_status = $3, permit_info_at = $4, updated_at = $5, version = version + 1 \
         WHERE social_security_number = $1 AND version = $2",
    )
    .bind(&read.social_security_number)
    .bind(read.version)
    .bind(to.as_str())
    .bind(info_at)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    versioned(done, "social security card")
}

/// The refused checks counted on `card` and its lock (`None`: not locked); `card` is kept
/// as stored (the counters and the version).
pub async fn set_counters(
    tx: &mut Tx<'_>,
    card: &mut CardRow,
    failed_attempts: i64,
    locked_until: Option<i64>,
) -> Result<(), ServiceError> {
    // A NULL bind is avoided (portable through `Any`): 0 means "not locked".
    let done = sqlx::query(
        "UPDATE si_cards SET failed_attempts = $3, locked_until = CASE WHEN $4 = 0 THEN NULL ELSE $4 END, \
         version = version + 1 WHERE social_security_number = $1 AND version = $2",
    )
    .bind(&card.social_security_number)
    .bind(card.version)
    .bind(failed_attempts)
    .bind(locked_until.unwrap_or(0))
    .execute(&mut **tx)
    .await?;
    versioned(done, "social security card")?;
    card.failed_attempts = failed_attempts;
    card.locked_until = locked_until;
    card.version += 1;
    Ok(())
}

/// `card` moves `to` (activated) at `at`; `card` is kept as stored.
pub async fn activate(tx: &mut Tx<'_>, card: &mut CardRow, to: CardStatus, at: i64) -> Result<(), ServiceError> {
    let done = sqlx::query(
        "UPDATE si_cards SET status = $3, activated_at = $4, version = version + 1 \
         WHERE social_security_number = $1 AND version = $2",
    )
    .bind(&card.social_security_number)
    .bind(card.version)
    .bind(to.as_str())
    .bind(at)
    .execute(&mut **tx)
    .await?;
    versioned(done, "social security card")?;
    card.status = to;
    card.activated_at = Some(at);
    card.version += 1;
    Ok(())
}
