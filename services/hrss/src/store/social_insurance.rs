//! `si_persons` (the lifelong social security number of a person), `si_counters` and
//! `si_registrations` (one registration per case).

use platform::db::{Pool, Tx};

/// The social security number of the person, if one was given.
pub async fn number_of(tx: &mut Tx<'_>, person_key: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT social_security_number FROM si_persons WHERE person_key = $1")
        .bind(person_key)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(ssn,)| ssn))
}

/// The next value of the serial of `scope` (social security numbers per year).
pub async fn next_serial(tx: &mut Tx<'_>, scope: &str) -> Result<i64, sqlx::Error> {
    platform::db::next_serial(tx, "si_counters", scope).await
}

/// The person's number, for life.
pub async fn insert_person(tx: &mut Tx<'_>, person_key: &str, ssn: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO si_persons (person_key, social_security_number, created_at) VALUES ($1, $2, $3)")
        .bind(person_key)
        .bind(ssn)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A registration of a case's person.
pub struct NewRegistration<'a> {
    pub case_id: &'a str,
    pub person_key: &'a str,
    pub social_security_number: &'a str,
    pub permit_number: &'a str,
    /// Comma-separated insurance codes.
    pub insurances: &'a str,
    pub registered_at: i64,
    pub due_on: &'a str,
}

/// Inserts the registration; false when the case is registered already.
pub async fn register(tx: &mut Tx<'_>, r: &NewRegistration<'_>) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO si_registrations (case_id, person_key, social_security_number, permit_number, insurances, \
         registered_at, due_on) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id) DO NOTHING",
    )
    .bind(r.case_id)
    .bind(r.person_key)
    .bind(r.social_security_number)
    .bind(r.permit_number)
    .bind(r.insurances)
    .bind(r.registered_at)
    .bind(r.due_on)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistrationRow {
    pub case_id: String,
    pub person_key: String,
    pub social_security_number: String,
    /// Comma-separated insurance codes.
    pub insurances: String,
    pub registered_at: i64,
    pub due_on: String,
}

/// The registration of `case_id`.
pub async fn registration(pool: &Pool, case_id: &str) -> Result<Option<RegistrationRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT case_id, person_key, social_security_number, insurances, registered_at, due_on FROM si_registrations \
         WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_optional(pool)
    .await
}
