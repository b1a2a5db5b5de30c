//! The province profile: every province-specific value of the service as data
//! (`data/provinces/<name>.json`), so that another province is a new file, not new code.
//!
//! Gansu's profile holds its 14 prefecture and 87 county codes, the two dated minimum-wage value sets
//! (conflicting sources, kept both with their dates), the tier-to-area map (unknown, empty),
//! the delegated issuers, the deadline settings, the western-region prefixes, the optional
//! previous-year average wage (unknown) and the minimum passport validity.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{Category, Department};
use crate::data::{Confidence, DataError, Sourced, is_region_code, prefecture_of};
use crate::violation::Note;

const GANSU_JSON: &str = include_str!("../data/provinces/gansu.json");

/// One prefecture-level division (GB/T 2260).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefecture {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// One county-level division (district, county, county-level city).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct County {
    pub code: String,
    pub name_zh: String,
}

/// An area that matters to the service but has no GB/T 2260 code (e.g. Lanzhou New Area).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlistedArea {
    pub name_zh: String,
    pub name_en: String,
    pub gb_code: Option<String>,
    pub confidence: Confidence,
    pub note: Option<String>,
}

/// The offices that issue work permits when no delegation applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issuers {
    pub science_tech: String,
    pub hrss: String,
    pub confidence: Confidence,
    #[serde(default)]
    pub note: Option<String>,
}

/// A municipal office that issues permits of some categories for its region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegatedIssuer {
    pub region_code: String,
    pub categories: Vec<Category>,
    pub issuer: String,
    pub confidence: Confidence,
    #[serde(default)]
    pub note: Option<String>,
}

/// One tier of a minimum-wage value set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WageTier {
    pub tier: String,
    pub monthly_cny: u32,
    pub hourly_cny: f64,
}

/// A minimum-wage value set with the dates it applies (both ends inclusive, `None` = open).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WageSet {
    pub id: String,
    pub effective_from: Option<NaiveDate>,
    #[serde(default)]
    pub effective_from_note: Option<String>,
    pub effective_until: Option<NaiveDate>,
    /// Tier I first (the highest).
    pub tiers: Vec<WageTier>,
    /// Region code (county or prefecture) → tier name. Unknown areas use tier I.
    pub tier_by_area: BTreeMap<String, String>,
    pub tier_by_area_confidence: Confidence,
    pub confidence: Confidence,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

impl WageSet {
    fn applies_on(&self, date: NaiveDate) -> bool {
        self.effective_from.is_none_or(|f| f <= date) && self.effective_until.is_none_or(|u| date <= u)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinimumWageData {
    pub sets: Vec<WageSet>,
    #[serde(default)]
    pub unknown_tier_rule: Option<String>,
}

/// The minimum wage that applies to one area on one date, with how it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinimumWage {
    pub set_id: String,
    pub tier: String,
    pub monthly_cny: u32,
    pub confidence: Confidence,
    /// Whether the tier is known for the area (false: tier I applied).
    pub tier_known: bool,
    pub notes: Vec<Note>,
}

/// Working-day limits of a case, counted from the day of acceptance (not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineSettings {
    pub committed_working_days: u32,
    pub statutory_working_days: u32,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        Self { committed_working_days: 15, statutory_working_days: 90 }
    }
}

/// Every province-specific value of the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvinceProfile {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub prefectures: Sourced<Vec<Prefecture>>,
    /// The county-level divisions: with the prefectures, every code that is a division of
    /// the province. Any other code under the province's prefix is none.
    pub counties: Sourced<Vec<County>>,
    #[serde(default)]
    pub unlisted_areas: Vec<UnlistedArea>,
    /// First two digits of GB/T 2260 codes that count as "western region" in the points table.
    pub western_region_prefixes: Sourced<Vec<String>>,
    pub issuers: Issuers,
    #[serde(default)]
    pub delegated_issuers: Vec<DelegatedIssuer>,
    pub minimum_wage: MinimumWageData,
    pub deadlines: Sourced<DeadlineSettings>,
    /// `None` while unknown: the 4× (B) and 6× (A) average-wage routes are then not applied.
    pub previous_year_average_wage_cny: Sourced<Option<u64>>,
    pub min_passport_validity_months: Sourced<u32>,
    pub local_bonus_criteria: Sourced<Option<String>>,
}

impl ProvinceProfile {
    /// Gansu's embedded profile.
    pub fn gansu() -> ProvinceProfile {
        static GANSU: OnceLock<ProvinceProfile> = OnceLock::new();
        GANSU
            .get_or_init(|| {
                // The embedded file is checked by the tests of this module.
                ProvinceProfile::from_json(GANSU_JSON).expect("embedded data/provinces/gansu.json is valid")
            })
            .clone()
    }

    /// Parses and checks a profile (e.g. another province's file).
    pub fn from_json(json: &str) -> Result<ProvinceProfile, DataError> {
        const FILE: &str = "province profile";
        let p: ProvinceProfile = serde_json::from_str(json).map_err(|e| DataError::json(FILE, e))?;
        if !is_region_code(&p.code) || !p.code.ends_with("0000") {
            return Err(DataError::invalid(FILE, format!("province code {:?} is not NN0000", p.code)));
        }
        let prefix = &p.code[..2];
        for pref in &p.prefectures.value {
            if !is_region_code(&pref.code) || !pref.code.starts_with(prefix) {
                return Err(DataError::invalid(FILE, format!("prefecture code {:?} is not in {}", pref.code, p.code)));
            }
        }
        for county in &p.counties.value {
            let listed = prefecture_of(&county.code).is_some_and(|c| p.prefectures.value.iter().any(|x| x.code == c));
            if !is_region_code(&county.code) || county.code.ends_with("00") || !listed {
                return Err(DataError::invalid(
                    FILE,
                    format!("county code {:?} is not under a listed prefecture", county.code),
                ));
            }
        }
        for d in &p.delegated_issuers {
            if !is_region_code(&d.region_code) {
                return Err(DataError::invalid(FILE, format!("delegated issuer region {:?}", d.region_code)));
            }
        }
        if p.western_region_prefixes.value.iter().any(|w| w.len() != 2 || !w.bytes().all(|b| b.is_ascii_digit())) {
            return Err(DataError::invalid(FILE, "western_region_prefixes are 2-digit province prefixes"));
        }
        for set in &p.minimum_wage.sets {
            if set.tiers.is_empty() {
                return Err(DataError::invalid(FILE, format!("wage set {} has no tiers", set.id)));
            }
            if let (Some(f), Some(u)) = (set.effective_from, set.effective_until)
                && f > u
            {
                return Err(DataError::invalid(FILE, format!("wage set {} ends before it starts", set.id)));
            }
            for tier in set.tier_by_area.values() {
                if !set.tiers.iter().any(|t| &t.tier == tier) {
                    return Err(DataError::invalid(
                        FILE,
                        format!("wage set {} maps an area to unknown tier {tier}", set.id),
                    ));
                }
            }
        }
        Ok(p)
    }

    /// The province's 2-digit prefix (`62` for Gansu).
    pub fn prefix(&self) -> &str {
        self.code.get(..2).unwrap_or("")
    }

    /// Whether a region code lies under this province's prefix (it may still be no division:
    /// see [`Self::is_division`]).
    pub fn contains_region(&self, region_code: &str) -> bool {
        is_region_code(region_code) && region_code.starts_with(self.prefix())
    }

    /// Whether a region code is one of the province's prefectures or counties. `629999`
    /// lies under Gansu's prefix but is none.
    pub fn is_division(&self, region_code: &str) -> bool {
        self.prefectures.value.iter().any(|p| p.code == region_code)
            || self.counties.value.iter().any(|c| c.code == region_code)
    }

    /// The prefecture a region code belongs to, if it is one of the listed ones.
    pub fn prefecture(&self, region_code: &str) -> Option<&Prefecture> {
        let code = prefecture_of(region_code)?;
        self.prefectures.value.iter().find(|p| p.code == code)
    }

    /// Whether the region counts as "western region" for the points table. A code under
    /// this province's own prefix counts only when it is a real division: an invented
    /// `629999` earns no points.
    pub fn is_western(&self, region_code: &str) -> bool {
        is_region_code(region_code)
            && self.western_region_prefixes.value.iter().any(|w| region_code.starts_with(w.as_str()))
            && (!self.contains_region(region_code) || self.is_division(region_code))
    }

    /// The office that issues a permit of `category` for an employer in `region_code`.
    ///
    /// A delegation for a prefecture covers its districts and counties.
    pub fn issuer(&self, category: Category, region_code: Option<&str>) -> String {
        if let Some(pref) = region_code.and_then(prefecture_of) {
            let region = region_code.unwrap_or_default();
            if let Some(d) = self
                .delegated_issuers
                .iter()
                .find(|d| d.categories.contains(&category) && (d.region_code == region || d.region_code == pref))
            {
                return d.issuer.clone();
            }
        }
        match category.department() {
            Department::Hrss => self.issuers.hrss.clone(),
            _ => self.issuers.science_tech.clone(),
        }
    }

    /// The minimum wage of the employer's area on `date`, or `None` when no value set covers
    /// the date. Unknown tiers fall back to tier I (the highest), with a note.
    pub fn minimum_wage_on(&self, date: NaiveDate, region_code: &str) -> Option<MinimumWage> {
        let set = self.minimum_wage.sets.iter().find(|s| s.applies_on(date))?;
        let mut notes = Vec::new();
        if set.effective_from.is_none() {
            notes.push(Note::new(
                "minimum_wage_start_unknown",
                format!(
                    "the start date of minimum-wage set {} is not known; it is applied to every date up to {}",
                    set.id,
                    set.effective_until.map(|d| d.to_string()).unwrap_or_else(|| "today".into())
                ),
            ));
        }
        if set.confidence.needs_verification() {
            notes.push(Note::new(
                "minimum_wage_source",
                format!(
                    "minimum-wage set {} rests on a {} source; verify against the provincial notice",
                    set.id,
                    set.confidence.as_str()
                ),
            ));
        }
        let mapped = set
            .tier_by_area
            .get(region_code)
            .or_else(|| prefecture_of(region_code).and_then(|p| set.tier_by_area.get(&p)))
            .and_then(|name| set.tiers.iter().find(|t| &t.tier == name));
        let (tier, tier_known) = match mapped {
            Some(t) => (t, true),
            None => {
                let first = set.tiers.first()?;
                notes.push(Note::new(
                    "minimum_wage_tier_unknown",
                    format!(
                        "the minimum-wage tier of area {region_code} under set {} is not known; tier {} ({} CNY a month) applies",
                        set.id, first.tier, first.monthly_cny
                    ),
                ));
                (first, false)
            }
        };
        Some(MinimumWage {
            set_id: set.id.clone(),
            tier: tier.tier.clone(),
            monthly_cny: tier.monthly_cny,
            confidence: set.confidence,
            tier_known,
            notes,
        })
    }

    /// The previous-year average wage, when known.
    pub fn average_wage(&self) -> Option<u64> {
        self.previous_year_average_wage_cny.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_embedded_gansu_profile_parses() {
        let p = ProvinceProfile::gansu();
        assert_eq!(p.code, "620000");
        assert_eq!(p.prefectures.value.len(), 14);
        assert_eq!(p.deadlines.value, DeadlineSettings { committed_working_days: 15, statutory_working_days: 90 });
        assert_eq!(p.min_passport_validity_months.value, 6);
        assert_eq!(p.average_wage(), None);
        assert_eq!(p.previous_year_average_wage_cny.confidence, Confidence::NotFound);
        assert_eq!(p.counties.value.len(), 87);
        assert!(p.counties.value.iter().all(|c| c.code.starts_with("62")));
        assert_eq!(p.unlisted_areas[0].gb_code, None, "Lanzhou New Area has no GB code");
    }

    #[test]
    fn wage_sets_record_their_single_source_and_unknown_mapping() {
        let p = ProvinceProfile::gansu();
        assert_eq!(p.minimum_wage.sets.len(), 2);
        for set in &p.minimum_wage.sets {
            assert_eq!(set.confidence, Confidence::SingleSource);
            assert_eq!(set.tier_by_area_confidence, Confidence::NotFound);
            assert!(set.tier_by_area.is_empty());
            assert!(!set.sources.is_empty());
        }
    }

    #[test]
    fn minimum_wage_switches_on_2025_12_01() {
        let p = ProvinceProfile::gansu();
        let before = p.minimum_wage_on(d("2025-11-30"), "620500").unwrap();
        assert_eq!(
            (before.set_id.as_str(), before.tier.as_str(), before.monthly_cny),
            ("gansu-2023-four-tier", "I", 2020)
        );
        assert!(!before.tier_known);
        assert!(before.notes.iter().any(|n| n.code == "minimum_wage_start_unknown"));
        let after = p.minimum_wage_on(d("2025-12-01"), "620500").unwrap();
        assert_eq!((after.set_id.as_str(), after.monthly_cny), ("gansu-2025-three-tier", 2200));
        assert!(after.notes.iter().any(|n| n.code == "minimum_wage_tier_unknown"));
    }

    #[test]
    fn a_known_tier_is_used_for_a_county_through_its_prefecture() {
        let mut p = ProvinceProfile::gansu();
        p.minimum_wage.sets[1].tier_by_area.insert("621100".into(), "III".into());
        let w = p.minimum_wage_on(d("2026-03-01"), "621102").unwrap();
        assert_eq!((w.tier.as_str(), w.monthly_cny, w.tier_known), ("III", 2080, true));
    }

    #[test]
    fn lanzhou_has_a_delegated_issuer_for_a_and_b_only() {
        let p = ProvinceProfile::gansu();
        assert!(p.issuer(Category::A, Some("620100")).starts_with("Lanzhou Municipal"));
        assert!(p.issuer(Category::B, Some("620102")).starts_with("Lanzhou Municipal"));
        assert_eq!(
            p.issuer(Category::C, Some("620100")),
            "Gansu Provincial Department of Human Resources and Social Security"
        );
        assert_eq!(p.issuer(Category::B, Some("620500")), "Gansu Provincial Department of Science and Technology");
        assert_eq!(p.issuer(Category::A, None), "Gansu Provincial Department of Science and Technology");
    }

    #[test]
    fn regions_and_prefectures() {
        let p = ProvinceProfile::gansu();
        assert!(p.is_western("620500"));
        assert!(!p.is_western("350100"));
        assert!(!p.is_western("62"));
        assert!(p.is_western("623027"), "Xiahe county");
        assert!(!p.is_western("629999"), "no division: no western-region points");
        assert!(!p.is_western("620101"), "not a district of Lanzhou");
        assert!(p.is_division("620100") && p.is_division("620201") && p.is_division("622927"));
        assert!(!p.is_division("629999") && !p.is_division("620000") && !p.is_division("620171"));
        assert!(p.contains_region("623001"));
        assert!(!p.contains_region("110000"));
        assert_eq!(p.prefecture("620102").map(|x| x.name_en.as_str()), Some("Lanzhou"));
        assert_eq!(p.prefecture("629900"), None);
    }

    #[test]
    fn a_broken_profile_is_refused() {
        assert!(matches!(ProvinceProfile::from_json("{}"), Err(DataError::Json { .. })));
        let bad = GANSU_JSON.replace("\"code\": \"620000\"", "\"code\": \"62\"");
        assert!(matches!(ProvinceProfile::from_json(&bad), Err(DataError::Invalid { .. })));
        // A county under no listed prefecture.
        let bad = GANSU_JSON.replace("{\"code\": \"623027\"", "{\"code\": \"629927\"");
        assert!(matches!(ProvinceProfile::from_json(&bad), Err(DataError::Invalid { .. })));
    }
}
