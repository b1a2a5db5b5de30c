//! The service's access log: who read or decided what, about whom, why, with which outcome.
//!
//! It is an append-only hash chain (docs/security.md): entry `n` carries `seq = n`, the
//! hash of entry `n - 1` as `prev_hash`, and `hash` = SHA-256 over its own content and
//! `prev_hash`. Appending moves the chain's head row in the same transaction, so writers
//! are serialised and a decision and its entry commit together. Rows are never updated;
//! entries past the retention period are pruned from the start of the chain, which moves
//! its anchor. [`verify`] walks the chain and names the first broken link; the head is
//! published to `audit-checkpoint` regularly ([`checkpoint`]), so a chain rewritten from
//! some point on no longer matches what was published.

use domain::Actor;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{Db, Tx};
use crate::error::ServiceError;

domain::wire_enum!(
    /// Why staff read personal data, kept with the read in the audit log.
    Purpose {
        /// A reviewer examines a case's materials.
        Review => "review",
        /// A public-security officer checks a case at the counter.
        Counter => "counter",
        /// The reviewer deciding a work permit reads the applicant's identity.
        PermitReview => "permit_review",
        /// The employer follows its own case.
        OwnCase => "own_case",
        /// The foreigner reads their own record.
        OwnRecord => "own_record",
        /// Operators follow the service (case progress, complaints, hotline).
        Operations => "operations",
    }
);

impl Purpose {
    /// Why someone in `role` reads a case: its own (employer, foreigner), a review, the
    /// counter, operations.
    pub fn of(role: domain::Role) -> Purpose {
        use domain::Role;
        match role {
            Role::Employer => Purpose::OwnCase,
            Role::Foreigner => Purpose::OwnRecord,
            Role::Officer => Purpose::Counter,
            Role::Reviewer => Purpose::Review,
            _ => Purpose::Operations,
        }
    }
}

/// The `prev_hash` of the first entry of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One read of personal data, a decision, or a refused attempt at either.
#[derive(Debug, Clone, Copy, Default)]
pub struct Access<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    /// The case the data belongs to; `None` when the attempt named nothing the caller may see.
    pub case_id: Option<&'a str>,
    /// Whose data: the applicant's person key, when known.
    pub person: Option<&'a str>,
    /// Which fields were read or shared (none: the whole record, or no personal data).
    pub fields: &'a [&'a str],
    /// Why: a [`Purpose`] or a data-sharing purpose, as its wire name.
    pub purpose: Option<&'a str>,
    pub outcome: &'a str,
}

/// Writes audit entries for an [`Actor`].
#[allow(async_fn_in_trait)]
pub trait Audit {
    /// Records an access (or a refused attempt) on its own.
    async fn audit(&self, db: &Db, action: &str, resource: &str, outcome: &str) -> Result<(), ServiceError>;
    /// Records a decision in the transaction that makes it, so both commit together.
    async fn audit_in(&self, tx: &mut Tx<'_>, action: &str, resource: &str, outcome: &str) -> Result<(), sqlx::Error>;
    /// Records a read of personal data (or a refused attempt) with its case and purpose.
    async fn audit_access(&self, db: &Db, access: Access<'_>) -> Result<(), ServiceError>;
    /// Records a read (or a refusal) in the transaction of what follows from it.
    async fn audit_access_in(&self, tx: &mut Tx<'_>, access: Access<'_>) -> Result<(), sqlx::Error>;
    /// Records every read of a list (one entry per person shown) in one transaction.
    async fn audit_accesses(&self, db: &Db, accesses: &[Access<'_>]) -> Result<(), ServiceError>;
}

/// The case of a `case/<id>` resource, so every entry about a case can be found by it.
fn case_of(resource: &str) -> Option<&str> {
    resource.strip_prefix("case/").map(|rest| rest.split('/').next().unwrap_or(rest))
}

impl Audit for Actor {
    async fn audit(&self, db: &Db, action: &str, resource: &str, outcome: &str) -> Result<(), ServiceError> {
        let access = Access { action, resource, case_id: case_of(resource), outcome, ..Access::default() };
        self.audit_access(db, access).await
    }

    async fn audit_in(&self, tx: &mut Tx<'_>, action: &str, resource: &str, outcome: &str) -> Result<(), sqlx::Error> {
        let access = Access { action, resource, case_id: case_of(resource), outcome, ..Access::default() };
        append(tx, self, &access).await
    }

    async fn audit_access(&self, db: &Db, access: Access<'_>) -> Result<(), ServiceError> {
        self.audit_accesses(db, &[access]).await
    }

    async fn audit_access_in(&self, tx: &mut Tx<'_>, access: Access<'_>) -> Result<(), sqlx::Error> {
        append(tx, self, &access).await
    }

    async fn audit_accesses(&self, db: &Db, accesses: &[Access<'_>]) -> Result<(), ServiceError> {
        if accesses.is_empty() {
            return Ok(());
        }
        let mut tx = db.begin().await?;
        for a in accesses {
            append(&mut tx, self, a).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// An entry as stored and as the hash covers it (the field order is the hash's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Entry {
    pub seq: i64,
    pub id: String,
    pub at: i64,
    pub service: String,
    pub actor_role: String,
    pub actor_subject: String,
    pub actor_department: String,
    pub action: String,
    pub resource: String,
    pub case_id: String,
    pub person: String,
    pub fields: String,
    pub purpose: String,
    pub outcome: String,
    pub prev_hash: String,
}

impl Entry {
    /// The entry's hash: SHA-256 (hex) of its canonical JSON, `prev_hash` included.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&json))
    }
}

/// Moves the head one entry on and returns the new entry's number, the previous hash and
/// the chain's service. In PostgreSQL the row lock holds every other writer until commit;
/// SQLite has one writer anyway.
async fn advance(conn: &mut sqlx::AnyConnection) -> Result<(i64, String, String), sqlx::Error> {
    sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash, service")
        .fetch_one(conn)
        .await
}

async fn set_head(conn: &mut sqlx::AnyConnection, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(hash).execute(conn).await?;
    Ok(())
}

async fn append(conn: &mut sqlx::AnyConnection, actor: &Actor, a: &Access<'_>) -> Result<(), sqlx::Error> {
    let (seq, prev_hash, service) = advance(conn).await?;
    let entry = Entry {
        seq,
        id: uuid::Uuid::now_v7().to_string(),
        at: crate::time::now_ms(),
        service,
        actor_role: actor.role.as_str().into(),
        actor_subject: actor.subject.clone(),
        actor_department: actor.department_str().into(),
        action: a.action.into(),
        resource: a.resource.into(),
        case_id: a.case_id.unwrap_or_default().into(),
        person: a.person.unwrap_or_default().into(),
        fields: a.fields.join(","),
        purpose: a.purpose.unwrap_or_default().into(),
        outcome: a.outcome.into(),
        prev_hash,
    };
    let hash = entry.digest();
    sqlx::query(
        "INSERT INTO audit_log (seq, id, at, service, actor_role, actor_subject, actor_department, action, resource, \
         case_id, person, fields, purpose, outcome, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(entry.seq)
    .bind(&entry.id)
    .bind(entry.at)
    .bind(&entry.service)
    .bind(&entry.actor_role)
    .bind(&entry.actor_subject)
    .bind(&entry.actor_department)
    .bind(&entry.action)
    .bind(&entry.resource)
    .bind(&entry.case_id)
    .bind(&entry.person)
    .bind(&entry.fields)
    .bind(&entry.purpose)
    .bind(&entry.outcome)
    .bind(&entry.prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    set_head(conn, &hash).await
}

const COLUMNS: &str = "seq, id, at, service, actor_role, actor_subject, actor_department, action, resource, case_id, \
                       person, fields, purpose, outcome, prev_hash";

/// Names the chain after its service and seals entries written before the log was a
/// chain (oldest first), once; run at every start.
pub async fn open(db: &Db, service: &str) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE audit_head SET service = $1 WHERE id = 1 AND service <> $1")
        .bind(service)
        .execute(&mut *tx)
        .await?;
    let legacy: Vec<(String,)> =
        sqlx::query_as("SELECT id FROM audit_log WHERE hash IS NULL ORDER BY at, id").fetch_all(&mut *tx).await?;
    for (id,) in &legacy {
        let (seq, prev_hash, service) = advance(&mut tx).await?;
        sqlx::query("UPDATE audit_log SET seq = $1, service = $2, prev_hash = $3 WHERE id = $4")
            .bind(seq)
            .bind(&service)
            .bind(&prev_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let entry: Entry =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM audit_log WHERE id = $1")))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let hash = entry.digest();
        sqlx::query("UPDATE audit_log SET hash = $1 WHERE id = $2").bind(&hash).bind(id).execute(&mut *tx).await?;
        set_head(&mut tx, &hash).await?;
    }
    tx.commit().await?;
    Ok(legacy.len() as u64)
}

/// The head of a chain: how many entries it has had, the last one's hash, and where the
/// kept part starts.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Head {
    pub service: String,
    pub seq: i64,
    pub hash: String,
    pub anchor_seq: i64,
    pub anchor_hash: String,
    pub checkpoint_seq: i64,
}

pub async fn head(db: &Db) -> Result<Head, sqlx::Error> {
    sqlx::query_as("SELECT service, seq, hash, anchor_seq, anchor_hash, checkpoint_seq FROM audit_head WHERE id = 1")
        .fetch_one(&db.pool)
        .await
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The entry's id, or `head` when the chain ends before its head says it does.
    pub entry: String,
    pub seq: i64,
    pub reason: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub head: Head,
    /// Entries checked (those kept after pruning).
    pub entries: i64,
    pub broken: Option<Broken>,
}

/// Walks the chain from its anchor to its head; stops at the first broken link: an entry
/// outside the chain, a missing entry, an entry whose `prev_hash` is not its predecessor's
/// hash, one whose content no longer gives its hash, an end short of the head.
pub async fn verify(db: &Db) -> Result<Report, sqlx::Error> {
    let head = head(db).await?;
    let outside: Option<(String,)> =
        sqlx::query_as("SELECT id FROM audit_log WHERE seq IS NULL OR hash IS NULL OR prev_hash IS NULL LIMIT 1")
            .fetch_optional(&db.pool)
            .await?;
    if let Some((id,)) = outside {
        let broken = Broken { entry: id, seq: 0, reason: "an entry outside the chain (no seq or hash)".into() };
        return Ok(Report { head, entries: 0, broken: Some(broken) });
    }
    let (mut expected, mut prev) = (head.anchor_seq + 1, head.anchor_hash.clone());
    let mut entries = 0;
    loop {
        let rows: Vec<(Entry, String)> = sqlx::query_as::<_, EntryWithHash>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS}, hash FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 1000"
        )))
        .bind(expected)
        .fetch_all(&db.pool)
        .await?
        .into_iter()
        .map(|r| (r.entry, r.hash))
        .collect();
        if rows.is_empty() {
            break;
        }
        for (entry, hash) in rows {
            let reason = if entry.seq != expected {
                Some(format!("entries {expected} to {} are missing", entry.seq - 1))
            } else if entry.prev_hash != prev {
                Some("its prev_hash is not the hash of the entry before it".to_string())
            } else if entry.digest() != hash {
                Some("its content no longer matches its hash (the entry was changed)".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                let broken = Broken { entry: entry.id, seq: entry.seq, reason };
                return Ok(Report { head, entries, broken: Some(broken) });
            }
            entries += 1;
            expected = entry.seq + 1;
            prev = hash;
        }
    }
    let broken = (expected - 1 != head.seq || prev != head.hash).then(|| Broken {
        entry: "head".into(),
        seq: head.seq,
        reason: format!("the chain ends at entry {} but its head is entry {}", expected - 1, head.seq),
    });
    Ok(Report { head, entries, broken })
}

#[derive(sqlx::FromRow)]
struct EntryWithHash {
    #[sqlx(flatten)]
    entry: Entry,
    hash: String,
}

/// Deletes entries older than `retention_days` from the start of the chain and moves its
/// anchor to the last one deleted; returns how many went.
pub async fn prune(db: &Db, retention_days: u32) -> Result<u64, sqlx::Error> {
    let cutoff = crate::time::now_ms() - i64::from(retention_days) * 86_400_000;
    let mut tx = db.begin().await?;
    // The kept chain starts at the first entry inside the period: never cut inside it.
    let last: Option<(i64, String)> = sqlx::query_as(
        "SELECT seq, hash FROM audit_log WHERE seq < COALESCE((SELECT MIN(seq) FROM audit_log WHERE at >= $1), \
         (SELECT seq + 1 FROM audit_head WHERE id = 1)) ORDER BY seq DESC LIMIT 1",
    )
    .bind(cutoff)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((seq, hash)) = last else { return Ok(0) };
    let gone = sqlx::query("DELETE FROM audit_log WHERE seq <= $1").bind(seq).execute(&mut *tx).await?.rows_affected();
    sqlx::query("UPDATE audit_head SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(gone)
}

/// The head to publish as a checkpoint, if it moved since the last one; marks it published
/// in `tx` (the caller writes the checkpoint event in the same transaction).
pub async fn checkpoint(tx: &mut Tx<'_>) -> Result<Option<Head>, sqlx::Error> {
    let head: Head = sqlx::query_as(
        "SELECT service, seq, hash, anchor_seq, anchor_hash, checkpoint_seq FROM audit_head WHERE id = 1",
    )
    .fetch_one(&mut **tx)
    .await?;
    if head.seq == head.checkpoint_seq {
        return Ok(None);
    }
    sqlx::query("UPDATE audit_head SET checkpoint_seq = $1 WHERE id = 1").bind(head.seq).execute(&mut **tx).await?;
    Ok(Some(head))
}

/// Which entries a query asks for; empty strings and `None` mean any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub person: String,
    pub case_id: String,
    /// The actor's subject.
    pub actor: String,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Only entries about these cases (a foreigner's own), when set.
    pub cases: Option<Vec<String>>,
}

/// Where a page of the merged log starts: after the entry `(at, service, seq)` in the
/// order newest first, then by service, then by seq, all descending.
pub type After = (i64, String, i64);

/// The entries of `f` after `after`, newest first, at most `fetch`, with their hashes.
pub async fn list(db: &Db, f: &Filter, after: Option<&After>, fetch: i64) -> Result<Vec<(Entry, String)>, sqlx::Error> {
    let service = head(db).await?.service;
    // Entries of this service that come after the cursor: before its time, or at its time
    // and before it in (service, seq).
    let (before_at, before_seq) = match after {
        None => (i64::MAX, 0),
        Some((at, s, _)) if service < *s => (at.saturating_add(1), 0),
        Some((at, s, seq)) if service == *s => (*at, *seq),
        Some((at, _, _)) => (*at, 0),
    };
    let cases = match &f.cases {
        Some(c) if c.is_empty() => return Ok(Vec::new()),
        Some(c) => {
            let marks: Vec<String> = (0..c.len()).map(|i| format!("${}", i + 8)).collect();
            format!("AND case_id IN ({})", marks.join(", "))
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT {COLUMNS}, hash FROM audit_log WHERE hash IS NOT NULL \
         AND ($1 = '' OR person = $1) AND ($2 = '' OR case_id = $2) AND ($3 = '' OR actor_subject = $3) \
         AND at >= $4 AND at <= $5 AND (at < $6 OR (at = $6 AND seq < $7)) {cases} \
         ORDER BY at DESC, seq DESC LIMIT {}",
        fetch.clamp(1, 1000)
    );
    let mut q = sqlx::query_as::<_, EntryWithHash>(sqlx::AssertSqlSafe(sql))
        .bind(&f.person)
        .bind(&f.case_id)
        .bind(&f.actor)
        .bind(f.from_ms.unwrap_or(i64::MIN))
        .bind(f.to_ms.unwrap_or(i64::MAX))
        .bind(before_at)
        .bind(before_seq);
    for c in f.cases.iter().flatten() {
        q = q.bind(c);
    }
    Ok(q.fetch_all(&db.pool).await?.into_iter().map(|r| (r.entry, r.hash)).collect())
}

/// `<service> audit verify` (`args` without the program name): walks the service's chain in
/// its database (the same settings as the service, never creating it) and prints what it
/// found; `Some(false)` when a link is broken, `None` when the arguments are not this
/// command (the service starts as usual).
pub async fn command(
    args: &[String],
    service: &str,
    settings: &crate::config::Settings,
) -> anyhow::Result<Option<bool>> {
    match args {
        [first, ..] if first != "audit" => return Ok(None),
        [] => return Ok(None),
        [_, verb] if verb == "verify" => {}
        _ => anyhow::bail!("usage: {service} audit verify"),
    }
    let db = Db::connect(&settings.database, service, &[]).await?;
    let report = verify(&db).await?;
    let h = &report.head;
    match &report.broken {
        None => println!(
            "{service}: ok: {} entries (from {} to {}), head {}",
            report.entries,
            h.anchor_seq + 1,
            h.seq,
            h.hash
        ),
        Some(b) => println!("{service}: BROKEN at entry {} (seq {}): {}", b.entry, b.seq, b.reason),
    }
    Ok(Some(report.broken.is_none()))
}

pub mod grpc;

#[cfg(test)]
mod tests;
