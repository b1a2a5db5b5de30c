//! The serious-dishonesty list: kept in the database (replaced as a whole by an
//! administrator, seeded from the data file on first start) and cached in the intake
//! rules; a version number tells every replica when to reload.

use std::sync::Arc;

use domain::conditions::{DishonestyList, Rules};
use domain::ids::CreditCode;
use platform::ServiceError;
use platform::db::Db;
use platform::time::now_ms;
use tokio::sync::RwLock;

use crate::store::dishonesty as store;

/// The intake rules with the current dishonesty list.
pub struct RulesCache {
    base_rules: Rules,
    current: RwLock<(i64, Arc<Rules>)>,
}

impl RulesCache {
    pub async fn load(db: &Db, base_rules: Rules) -> Result<RulesCache, ServiceError> {
        let version = seed_if_empty(db, &base_rules.dishonesty).await?;
        let cache = RulesCache { current: RwLock::new((-1, Arc::new(base_rules.clone()))), base_rules };
        cache.refresh(db, version).await?;
        Ok(cache)
    }

    /// The rules with the list as of now (one cheap query per call).
    pub async fn get(&self, db: &Db) -> Result<Arc<Rules>, ServiceError> {
        let version = current_version(db).await?;
        {
            let cur = self.current.read().await;
            if cur.0 == version {
                return Ok(cur.1.clone());
            }
        }
        self.refresh(db, version).await
    }

    async fn refresh(&self, db: &Db, version: i64) -> Result<Arc<Rules>, ServiceError> {
        let codes = list(db).await?;
        let mut rules = self.base_rules.clone();
        rules.dishonesty = DishonestyList::from_codes(codes.iter().filter_map(|c| CreditCode::parse(c).ok()));
        let rules = Arc::new(rules);
        *self.current.write().await = (version, rules.clone());
        Ok(rules)
    }
}

async fn current_version(db: &Db) -> Result<i64, ServiceError> {
    Ok(store::version(&db.pool).await?)
}

async fn seed_if_empty(db: &Db, embedded: &DishonestyList) -> Result<i64, ServiceError> {
    if current_version(db).await? > 0 {
        return current_version(db).await;
    }
    let codes: Vec<String> = embedded.codes().map(str::to_string).collect();
    replace(db, &codes, "data file").await.map(|(_, v)| v)
}

pub async fn list(db: &Db) -> Result<Vec<String>, ServiceError> {
    Ok(store::codes(&db.pool).await?)
}

pub async fn meta(db: &Db) -> Result<(i64, i64), ServiceError> {
    Ok(store::meta(&db.pool).await?)
}

/// Replaces the whole list in one transaction; every code must be valid (all problems
/// are reported at once). Returns (count, new version).
pub async fn replace(db: &Db, codes: &[String], by: &str) -> Result<(i64, i64), ServiceError> {
    let mut v = domain::Violations::new();
    let mut parsed: Vec<String> = codes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| v.take(&format!("credit_codes[{i}]"), CreditCode::parse(c)).map(|c| c.to_string()))
        .collect();
    if !v.is_empty() {
        return Err(ServiceError::InvalidArgument(v));
    }
    parsed.sort();
    parsed.dedup();
    let now = now_ms();
    let mut tx = db.begin().await?;
    let version = store::replace(&mut tx, &parsed, now, by).await?;
    tx.commit().await?;
    Ok((parsed.len() as i64, version))
}
