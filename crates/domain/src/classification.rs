//! The national foreigner-work classification (外国人来华工作分类标准（试行）): points table,
//! thresholds, direct A qualifications and the non-points B conditions (FACTS §1).
//!
//! The points table is data (`data/points_tables.json`) because sources disagree on three
//! rows: the `standard` variant (work years max 20, Chinese max 5; the default) and the
//! `trial` variant (试用版: work years max 15, Chinese max 10). Province-specific inputs (the
//! western-region prefixes, the average wage, the delegated issuers) come from the
//! [`ProvinceProfile`].
//!
//! A category is decided by, in order: a direct qualification (A regardless of points), the
//! points (A ≥ 85, B ≥ 60, both inclusive: "以上" includes the number), then a B condition
//! that needs no points. Every assumption made on unknown data is listed in `notes`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use crate::case::{Category, Department, wire_enum};
use crate::data::{Confidence, DataError, is_region_code};
use crate::intake::ProfileInput;
use crate::province::ProvinceProfile;
use crate::violation::{Note, Violations};

const POINTS_TABLES_JSON: &str = include_str!("../data/points_tables.json");

wire_enum!(
    /// Highest academic degree.
    Education { Doctorate => "doctorate", Master => "master", Bachelor => "bachelor", None => "none" }
);

wire_enum!(
    /// Highest vocational qualification; the better of education and vocational counts.
    Vocational {
        TopInternational => "top_international",
        SeniorTechnician => "senior_technician",
        Technician => "technician",
        SeniorWorker => "senior_worker",
        None => "none",
    }
);

wire_enum!(
    /// Chinese-language level.
    Chinese {
        None => "none",
        Hsk1 => "hsk1",
        Hsk2 => "hsk2",
        Hsk3 => "hsk3",
        Hsk4 => "hsk4",
        Hsk5 => "hsk5",
        Hsk6 => "hsk6",
        ChineseTaughtDegree => "chinese_taught_degree",
        FormerChineseNational => "former_chinese_national",
    }
);

wire_enum!(
    /// Extra-credit items; any one gives the extra points, they do not add up.
    Extra {
        TopUniversity => "top_university",
        Fortune500 => "fortune_500",
        IntellectualProperty => "intellectual_property",
        FiveYearsInChina => "five_years_in_china",
    }
);

wire_enum!(
    /// Grounds for category A without points (FACTS §1.4).
    DirectQualification {
        TalentProgram => "talent_program",
        InternationalAchievement => "international_achievement",
        EncouragedPost => "encouraged_post",
        InnovationTalent => "innovation_talent",
        YoungTalent => "young_talent",
        SalarySixTimesAverage => "salary_six_times_average",
    }
);

wire_enum!(
    /// A row of the points table, by its public name.
    Factor {
        Salary => "salary",
        Education => "education",
        WorkExperience => "work_experience",
        MonthsInChina => "months_in_china",
        Chinese => "chinese",
        WorkRegion => "work_region",
        Age => "age",
        Extras => "extras",
        LocalBonus => "local_bonus",
    }
);

wire_enum!(
    /// How the category was reached.
    Route { Points => "points", DirectQualification => "direct_qualification", BCondition => "b_condition" }
);

wire_enum!(
    /// Non-points grounds for at least category B (FACTS §1.5) that a request can carry.
    BCondition {
        /// Bachelor's or higher and at least 2 years' relevant experience.
        DegreeAndExperience => "degree_and_experience",
        /// An internationally recognised (top-level) vocational certificate.
        InternationalVocationalCertificate => "international_vocational_certificate",
        /// Salary of at least 4× the local previous-year average wage.
        SalaryFourTimesAverage => "salary_four_times_average",
    }
);

// ---------------------------------------------------------------------------------------
// The points table (data)
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalaryBand {
    pub min_cny: u64,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalaryRule {
    pub max: u32,
    /// Highest band first.
    pub bands: Vec<SalaryBand>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EducationRule {
    pub max: u32,
    pub education: BTreeMap<Education, u32>,
    pub vocational: BTreeMap<Vocational, u32>,
}

/// `points_at_min` at `min_years`, plus `points_per_extra_year` for each full year beyond.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkExperienceRule {
    pub max: u32,
    pub min_years: u32,
    pub points_at_min: u32,
    pub points_per_extra_year: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthsBand {
    pub min_months: f64,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthsRule {
    pub max: u32,
    pub bands: Vec<MonthsBand>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChineseRule {
    pub max: u32,
    /// Levels not listed score 0 (the trial variant has no "former Chinese national" row).
    pub levels: BTreeMap<Chinese, u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkRegionRule {
    pub max: u32,
    pub western_region_points: u32,
}

/// Whole years, both ends inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeBand {
    pub min_age: i32,
    pub max_age: i32,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeRule {
    pub max: u32,
    pub bands: Vec<AgeBand>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtrasRule {
    pub max: u32,
    pub points_for_any: u32,
    /// The items that count in this variant.
    pub items: BTreeSet<Extra>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalBonusRule {
    pub max: u32,
    #[serde(default)]
    pub note: Option<String>,
}

/// Inclusive lower bounds of A and B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub a: u32,
    pub b: u32,
    #[serde(default)]
    pub note: Option<String>,
}

impl Thresholds {
    pub fn category(&self, points: u32) -> Category {
        if points >= self.a {
            Category::A
        } else if points >= self.b {
            Category::B
        } else {
            Category::C
        }
    }
}

/// One variant of the points table, with its sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointsTable {
    /// `standard` or `trial` (the key in the data file).
    #[serde(default)]
    pub name: String,
    pub label: String,
    pub confidence: Confidence,
    pub sources: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Confidence of single rows that differ from the variant's, e.g. a conflicting row.
    #[serde(default)]
    pub row_confidence: BTreeMap<String, String>,
    pub salary: SalaryRule,
    pub education: EducationRule,
    pub work_experience: WorkExperienceRule,
    pub months_in_china: MonthsRule,
    pub chinese: ChineseRule,
    pub work_region: WorkRegionRule,
    pub age: AgeRule,
    pub extras: ExtrasRule,
    pub local_bonus: LocalBonusRule,
    pub thresholds: Thresholds,
}

#[derive(Debug, Deserialize)]
struct PointsTablesFile {
    default: String,
    variants: BTreeMap<String, PointsTable>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0:?} is not a points-table variant (standard, trial)")]
pub struct UnknownVariant(pub String);

impl crate::violation::HasCode for UnknownVariant {
    fn code(&self) -> &'static str {
        "unknown_value"
    }
}

fn embedded_tables() -> &'static (String, BTreeMap<String, PointsTable>) {
    static TABLES: OnceLock<(String, BTreeMap<String, PointsTable>)> = OnceLock::new();
    // The embedded file is checked by the tests of this module.
    TABLES
        .get_or_init(|| PointsTable::parse_file(POINTS_TABLES_JSON).expect("embedded data/points_tables.json is valid"))
}

impl PointsTable {
    /// The 20/5 variant, the default.
    pub fn standard() -> PointsTable {
        Self::by_name("standard").expect("the embedded file has a standard variant")
    }

    /// The 试用版 variant (work years max 15, Chinese max 10).
    pub fn trial() -> PointsTable {
        Self::by_name("trial").expect("the embedded file has a trial variant")
    }

    /// The variant named in the data file's `default`.
    pub fn default_variant() -> PointsTable {
        let (default, tables) = embedded_tables();
        tables.get(default).cloned().unwrap_or_else(Self::standard)
    }

    pub fn by_name(name: &str) -> Result<PointsTable, UnknownVariant> {
        embedded_tables().1.get(name.trim()).cloned().ok_or_else(|| UnknownVariant(name.to_string()))
    }

    /// Parses a points-table file (same shape as `data/points_tables.json`) and checks it.
    pub fn parse_file(json: &str) -> Result<(String, BTreeMap<String, PointsTable>), DataError> {
        const FILE: &str = "points tables";
        let mut file: PointsTablesFile = serde_json::from_str(json).map_err(|e| DataError::json(FILE, e))?;
        if !file.variants.contains_key(&file.default) {
            return Err(DataError::invalid(FILE, format!("default variant {:?} is missing", file.default)));
        }
        for (name, table) in &mut file.variants {
            table.name = name.clone();
            table.check().map_err(|r| DataError::invalid(FILE, format!("variant {name}: {r}")))?;
        }
        Ok((file.default, file.variants))
    }

    fn check(&self) -> Result<(), String> {
        fn descending<T: PartialOrd>(xs: impl Iterator<Item = T>) -> bool {
            let v: Vec<T> = xs.collect();
            v.windows(2).all(|w| w[0] > w[1])
        }
        let over = |what: &str, p: u32, max: u32| {
            if p > max { Err(format!("{what}: {p} points above max {max}")) } else { Ok(()) }
        };
        for b in &self.salary.bands {
            over("salary", b.points, self.salary.max)?;
        }
        if !descending(self.salary.bands.iter().map(|b| b.min_cny)) {
            return Err("salary bands must be listed highest first".into());
        }
        for p in self.education.education.values().chain(self.education.vocational.values()) {
            over("education", *p, self.education.max)?;
        }
        over("work_experience", self.work_experience.points_at_min, self.work_experience.max)?;
        for b in &self.months_in_china.bands {
            over("months_in_china", b.points, self.months_in_china.max)?;
        }
        if !descending(self.months_in_china.bands.iter().map(|b| b.min_months)) {
            return Err("months bands must be listed highest first".into());
        }
        for p in self.chinese.levels.values() {
            over("chinese", *p, self.chinese.max)?;
        }
        over("work_region", self.work_region.western_region_points, self.work_region.max)?;
        for b in &self.age.bands {
            over("age", b.points, self.age.max)?;
            if b.min_age > b.max_age {
                return Err(format!("age band {}..{} is empty", b.min_age, b.max_age));
            }
        }
        if self.age.bands.windows(2).any(|w| w[0].max_age >= w[1].min_age) {
            return Err("age bands must be ascending and disjoint".into());
        }
        over("extras", self.extras.points_for_any, self.extras.max)?;
        if self.thresholds.a <= self.thresholds.b {
            return Err("threshold A must be above threshold B".into());
        }
        Ok(())
    }

    /// The highest total the table can give (120 in both variants).
    pub fn max_total(&self) -> u32 {
        self.salary.max
            + self.education.max
            + self.work_experience.max
            + self.months_in_china.max
            + self.chinese.max
            + self.work_region.max
            + self.age.max
            + self.extras.max
            + self.local_bonus.max
    }

    /// The points of every factor, in the public order.
    pub fn score(&self, input: &ClassificationInput, province: &ProvinceProfile) -> Vec<FactorScore> {
        let salary = self.salary.bands.iter().find(|b| input.annual_salary_cny >= b.min_cny).map_or(0, |b| b.points);
        let education = {
            let e = self.education.education.get(&input.education).copied().unwrap_or(0);
            let v = self.education.vocational.get(&input.vocational).copied().unwrap_or(0);
            e.max(v)
        };
        let work_experience = {
            let r = &self.work_experience;
            let years = input.work_experience_years;
            // NaN compares as not-greater-or-equal, so it scores 0.
            if years >= f64::from(r.min_years) {
                // Full years only; the float-to-int cast saturates, so huge values stay finite.
                let whole = years.floor().min(1_000.0) as u32;
                r.points_at_min
                    .saturating_add(whole.saturating_sub(r.min_years).saturating_mul(r.points_per_extra_year))
            } else {
                0
            }
        };
        let months = self
            .months_in_china
            .bands
            .iter()
            .find(|b| input.months_in_china_per_year >= b.min_months)
            .map_or(0, |b| b.points);
        let chinese = self.chinese.levels.get(&input.chinese).copied().unwrap_or(0);
        let region = match &input.employer_region_code {
            Some(code) if province.is_western(code) => self.work_region.western_region_points,
            _ => 0,
        };
        let age = {
            let a = age_on(input.birth_date, input.as_of);
            self.age.bands.iter().find(|b| b.min_age <= a && a <= b.max_age).map_or(0, |b| b.points)
        };
        let extras =
            if input.extras.iter().any(|e| self.extras.items.contains(e)) { self.extras.points_for_any } else { 0 };
        let local_bonus = input.local_bonus;

        let score = |factor, points: u32, max| FactorScore { factor, points: points.min(max), max };
        vec![
            score(Factor::Salary, salary, self.salary.max),
            score(Factor::Education, education, self.education.max),
            score(Factor::WorkExperience, work_experience, self.work_experience.max),
            score(Factor::MonthsInChina, months, self.months_in_china.max),
            score(Factor::Chinese, chinese, self.chinese.max),
            score(Factor::WorkRegion, region, self.work_region.max),
            score(Factor::Age, age, self.age.max),
            score(Factor::Extras, extras, self.extras.max),
            score(Factor::LocalBonus, local_bonus, self.local_bonus.max),
        ]
    }
}

/// Age in whole years on `as_of` (negative when born after it). A 29 February birthday is
/// reached on 1 March in common years.
pub fn age_on(birth: NaiveDate, as_of: NaiveDate) -> i32 {
    let mut age = as_of.year() - birth.year();
    if (as_of.month(), as_of.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

// ---------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------

/// A parsed classification request. Built only by [`ClassificationInput::from_json`] or
/// [`ClassificationInput::from_profile`], so every value is in range.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassificationInput {
    as_of: NaiveDate,
    birth_date: NaiveDate,
    annual_salary_cny: u64,
    education: Education,
    vocational: Vocational,
    work_experience_years: f64,
    months_in_china_per_year: f64,
    chinese: Chinese,
    extras: BTreeSet<Extra>,
    local_bonus: u32,
    direct_qualification: Option<DirectQualification>,
    employer_region_code: Option<String>,
}

/// Highest accepted value of `work_experience_years`; more is a typing error.
const MAX_WORK_YEARS: f64 = 80.0;
const MAX_MONTHS: f64 = 12.0;
const MAX_LOCAL_BONUS: u64 = 10;

/// Reads fields of a JSON object, recording every problem under `prefix` + field name.
struct Reader<'a> {
    obj: &'a Map<String, Value>,
    prefix: &'a str,
    v: &'a mut Violations,
}

impl<'a> Reader<'a> {
    fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The value of a field; `None` when absent or `null`.
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.obj.get(name).filter(|v| !v.is_null())
    }

    fn wrong_type(&mut self, name: &str, expected: &str) {
        let p = self.path(name);
        self.v.push(p.clone(), "invalid_type", format!("{p} must be {expected}"));
    }

    fn missing(&mut self, name: &str) {
        let p = self.path(name);
        self.v.push(p.clone(), "required", format!("{p} is required"));
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let Some(value) = self.get(name) else {
            self.missing(name);
            return None;
        };
        let Some(s) = value.as_str() else {
            self.wrong_type(name, "a date string YYYY-MM-DD");
            return None;
        };
        match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                let p = self.path(name);
                self.v.push(p.clone(), "invalid_date", format!("{p} must be a date YYYY-MM-DD, got {s:?}"));
                None
            }
        }
    }

    /// A whole non-negative number.
    fn whole(&mut self, name: &str, required: bool, max: Option<u64>) -> Option<u64> {
        let Some(value) = self.get(name) else {
            if required {
                self.missing(name);
            }
            return None;
        };
        let Some(n) = value.as_f64() else {
            self.wrong_type(name, "a number");
            return None;
        };
        let p = self.path(name);
        if n < 0.0 {
            self.v.push(p.clone(), "negative", format!("{p} must not be negative"));
            return None;
        }
        let whole = match value.as_u64() {
            Some(u) => u,
            None if n.fract() == 0.0 && n <= 9.0e15 => n as u64,
            None => {
                self.v.push(p.clone(), "not_an_integer", format!("{p} must be a whole number"));
                return None;
            }
        };
        if let Some(max) = max
            && whole > max
        {
            self.v.push(p.clone(), "out_of_range", format!("{p} must be between 0 and {max}"));
            return None;
        }
        Some(whole)
    }

    /// A non-negative number, fractions allowed.
    fn number(&mut self, name: &str, max: f64) -> Option<f64> {
        let value = self.get(name)?;
        let Some(n) = value.as_f64() else {
            self.wrong_type(name, "a number");
            return None;
        };
        let p = self.path(name);
        if n < 0.0 {
            self.v.push(p.clone(), "negative", format!("{p} must not be negative"));
            None
        } else if n > max {
            self.v.push(p.clone(), "out_of_range", format!("{p} must be between 0 and {max}"));
            None
        } else {
            Some(n)
        }
    }

    /// An optional name of `T`; `None` when absent or not valid (the latter recorded).
    fn name<T: std::str::FromStr<Err = crate::case::UnknownName>>(&mut self, name: &str) -> Option<T> {
        let value = self.get(name)?;
        let Some(s) = value.as_str() else {
            self.wrong_type(name, "a string");
            return None;
        };
        let p = self.path(name);
        self.v.take(&p, s.trim().parse::<T>())
    }

    fn extras(&mut self, name: &str) -> BTreeSet<Extra> {
        let mut out = BTreeSet::new();
        let Some(value) = self.get(name) else {
            return out;
        };
        let Some(list) = value.as_array() else {
            self.wrong_type(name, "a list of names");
            return out;
        };
        for (i, item) in list.iter().enumerate() {
            let p = format!("{}[{i}]", self.path(name));
            match item.as_str() {
                Some(s) => {
                    if let Some(e) = self.v.take(&p, s.trim().parse::<Extra>()) {
                        out.insert(e);
                    }
                }
                None => self.v.push(p.clone(), "invalid_type", format!("{p} must be a string")),
            }
        }
        out
    }

    fn region(&mut self, name: &str) -> Option<String> {
        let value = self.get(name)?;
        let Some(s) = value.as_str() else {
            self.wrong_type(name, "a 6-digit region code string");
            return None;
        };
        let s = s.trim();
        if is_region_code(s) {
            Some(s.to_string())
        } else {
            let p = self.path(name);
            self.v.push(p.clone(), "invalid_region_code", format!("{p} is a 6-digit GB/T 2260 code"));
            None
        }
    }
}

/// The points-table fields of a request or a case profile.
struct ProfileFields {
    education: Education,
    vocational: Vocational,
    work_experience_years: f64,
    months_in_china_per_year: f64,
    chinese: Chinese,
    extras: BTreeSet<Extra>,
    local_bonus: u32,
    direct_qualification: Option<DirectQualification>,
}

fn read_profile(r: &mut Reader<'_>) -> ProfileFields {
    ProfileFields {
        education: r.name("education").unwrap_or(Education::None),
        vocational: r.name("vocational").unwrap_or(Vocational::None),
        work_experience_years: r.number("work_experience_years", MAX_WORK_YEARS).unwrap_or(0.0),
        months_in_china_per_year: r.number("months_in_china_per_year", MAX_MONTHS).unwrap_or(0.0),
        chinese: r.name("chinese").unwrap_or(Chinese::None),
        extras: r.extras("extras"),
        local_bonus: r.whole("local_bonus", false, Some(MAX_LOCAL_BONUS)).unwrap_or(0) as u32,
        direct_qualification: r.name("direct_qualification"),
    }
}

impl ClassificationInput {
    /// Parses the body of `POST /api/v1/classification`, reporting every problem at once.
    /// Optional fields default to the lowest band (`none`, 0, empty).
    pub fn from_json(value: &Value) -> Result<ClassificationInput, Violations> {
        let mut v = Violations::new();
        let Some(obj) = value.as_object() else {
            v.push("", "not_an_object", "the request body must be a JSON object");
            return Err(v);
        };
        let mut r = Reader { obj, prefix: "", v: &mut v };
        let as_of = r.date("as_of");
        let birth_date = r.date("birth_date");
        // The same sanity bound as a case's salary: a larger figure would only force category A.
        let max_salary = crate::intake::IntakeRules::embedded().max_annual_salary_cny.value;
        let salary = r.whole("annual_salary_cny", true, Some(max_salary));
        let profile = read_profile(&mut r);
        let region = r.region("employer_region_code");
        if let (Some(b), Some(a)) = (birth_date, as_of)
            && b > a
        {
            v.push("birth_date", "birth_date_after_as_of", "birth_date must not be after as_of");
        }
        match (as_of, birth_date, salary) {
            (Some(as_of), Some(birth_date), Some(salary)) if v.is_empty() => {
                Ok(Self::assemble(as_of, birth_date, salary, profile, region))
            }
            _ => Err(v),
        }
    }

    /// Builds the input from a case: the profile as submitted (violations under `profile.`)
    /// and the case's own birth date, salary and region.
    pub fn from_profile(
        profile: &ProfileInput,
        birth_date: NaiveDate,
        annual_salary_cny: u64,
        region_code: &str,
        as_of: NaiveDate,
    ) -> Result<ClassificationInput, Violations> {
        let mut v = Violations::new();
        let fields = Self::profile_fields(profile, &mut v);
        let region = region_code.trim();
        if !is_region_code(region) {
            v.push("employer.region_code", "invalid_region_code", "employer.region_code is a 6-digit GB/T 2260 code");
        }
        if birth_date > as_of {
            v.push(
                "applicant.birth_date",
                "birth_date_after_as_of",
                "applicant.birth_date must not be after the submission date",
            );
        }
        v.into_result(|| Self::assemble(as_of, birth_date, annual_salary_cny, fields, Some(region.to_string())))
    }

    /// Checks a case profile alone (used by the one-time notice before the case parses).
    pub fn check_profile(profile: &ProfileInput) -> Violations {
        let mut v = Violations::new();
        Self::profile_fields(profile, &mut v);
        v
    }

    fn profile_fields(profile: &ProfileInput, v: &mut Violations) -> ProfileFields {
        let value = serde_json::to_value(profile).unwrap_or(Value::Null);
        let empty = Map::new();
        let obj = value.as_object().unwrap_or(&empty);
        let mut r = Reader { obj, prefix: "profile.", v };
        read_profile(&mut r)
    }

    fn assemble(
        as_of: NaiveDate,
        birth_date: NaiveDate,
        salary: u64,
        p: ProfileFields,
        region: Option<String>,
    ) -> Self {
        Self {
            as_of,
            birth_date,
            annual_salary_cny: salary,
            education: p.education,
            vocational: p.vocational,
            work_experience_years: p.work_experience_years,
            months_in_china_per_year: p.months_in_china_per_year,
            chinese: p.chinese,
            extras: p.extras,
            local_bonus: p.local_bonus,
            direct_qualification: p.direct_qualification,
            employer_region_code: region,
        }
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    pub fn annual_salary_cny(&self) -> u64 {
        self.annual_salary_cny
    }

    pub fn education(&self) -> Education {
        self.education
    }

    pub fn work_experience_years(&self) -> f64 {
        self.work_experience_years
    }

    pub fn direct_qualification(&self) -> Option<DirectQualification> {
        self.direct_qualification
    }

    pub fn employer_region_code(&self) -> Option<&str> {
        self.employer_region_code.as_deref()
    }
}

// ---------------------------------------------------------------------------------------
// Result
// ---------------------------------------------------------------------------------------

/// Points of one factor, as in the API's `breakdown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorScore {
    pub factor: Factor,
    pub points: u32,
    pub max: u32,
}

/// The answer of `POST /api/v1/classification` (API.md names; `route`, `points_category`,
/// `table`, `b_condition` and `notes` are additions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub category: Category,
    pub points: u32,
    pub breakdown: Vec<FactorScore>,
    pub department: Department,
    pub issuer: String,
    pub route: Route,
    /// The category the points alone give.
    pub points_category: Category,
    /// The B condition that decided, when `route` is `b_condition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub b_condition: Option<BCondition>,
    /// The points-table variant used.
    pub table: String,
    pub notes: Vec<Note>,
}

fn has_degree(e: Education) -> bool {
    matches!(e, Education::Doctorate | Education::Master | Education::Bachelor)
}

/// Classifies a request against a points table and a province profile.
pub fn classify(input: &ClassificationInput, table: &PointsTable, province: &ProvinceProfile) -> Classification {
    let breakdown = table.score(input, province);
    let points: u32 = breakdown.iter().map(|f| f.points).sum();
    let points_category = table.thresholds.category(points);
    let mut notes = Vec::new();
    let salary = input.annual_salary_cny;
    let average = province.average_wage();

    match average {
        None => notes.push(Note::new(
            "average_wage_unknown",
            "the previous-year average wage of the province is not known: the B route 'salary at least 4× the average wage' \
             and the check of the A route 'salary at least 6× the average wage' are not applied",
        )),
        Some(avg) => {
            if input.direct_qualification == Some(DirectQualification::SalarySixTimesAverage)
                && u128::from(salary) < 6 * u128::from(avg)
            {
                notes.push(Note::new(
                    "salary_six_times_average_not_met",
                    format!("the declared salary {salary} CNY is below 6× the average wage ({avg} CNY); the claim needs proof"),
                ));
            }
        }
    }

    let salary_times = |k: u128| average.is_some_and(|avg| u128::from(salary) >= k * u128::from(avg));
    let direct =
        input.direct_qualification.or_else(|| salary_times(6).then_some(DirectQualification::SalarySixTimesAverage));

    let b_condition = if has_degree(input.education) && input.work_experience_years >= 2.0 {
        Some(BCondition::DegreeAndExperience)
    } else if input.vocational == Vocational::TopInternational {
        Some(BCondition::InternationalVocationalCertificate)
    } else if salary_times(4) {
        Some(BCondition::SalaryFourTimesAverage)
    } else {
        None
    };

    let (category, route, b_condition) = if let Some(d) = direct {
        notes.push(Note::new(
            "direct_qualification",
            format!("category A by direct qualification {d}, regardless of points"),
        ));
        (Category::A, Route::DirectQualification, None)
    } else if points_category != Category::C {
        (points_category, Route::Points, None)
    } else if let Some(c) = b_condition {
        notes.push(Note::new("b_condition", format!("category B without points by the condition {c}")));
        (Category::B, Route::BCondition, Some(c))
    } else {
        (Category::C, Route::Points, None)
    };

    let age = age_on(input.birth_date, input.as_of);
    if category == Category::B && age > 60 {
        notes.push(Note::new(
            "b_age_over_60",
            format!("B applicants are generally at most 60 (age {age}); the limit may be relaxed where really needed"),
        ));
    }
    if age < 18 {
        notes.push(Note::new("under_18", "applicants must be at least 18"));
    }
    if table.confidence.needs_verification() {
        notes.push(Note::new(
            "table_source",
            format!("points table '{}' rests on a {} source", table.name, table.confidence.as_str()),
        ));
    }
    if input.chinese == Chinese::FormerChineseNational {
        let key = "chinese.former_chinese_national";
        if let Some(c) = table.row_confidence.get(key) {
            notes.push(Note::new("row_conflicting", format!("the row {key} is {c} across sources")));
        }
    }
    if input.employer_region_code.is_none() {
        notes.push(Note::new(
            "work_region_unknown",
            "no employer region code was given: the work-region factor scores 0",
        ));
    }
    if let Some(code) = input.employer_region_code.as_deref()
        && province.contains_region(code)
        && !province.is_division(code)
    {
        notes.push(Note::new(
            "work_region_not_a_division",
            format!("{code} is no prefecture or county of {}: the work-region factor scores 0", province.name_en),
        ));
    }
    if input.local_bonus > 0 && province.local_bonus_criteria.value.is_none() {
        notes.push(Note::new(
            "local_bonus_criteria_unknown",
            "the province's local-encouragement criteria are not known; the requested local bonus is taken as given",
        ));
    }

    Classification {
        category,
        points,
        breakdown,
        department: category.department(),
        issuer: province.issuer(category, input.employer_region_code.as_deref()),
        route,
        points_category,
        b_condition,
        table: table.name.clone(),
        notes,
    }
}

#[cfg(test)]
mod tests;
