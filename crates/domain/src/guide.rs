//! The service guide (办事指南) in Chinese and English, rendered from the data the rules use:
//! the materials from the catalog (`data/materials.json`), the time limits and the passport
//! validity from the province profile, the acceptance conditions linked to the
//! [`Condition`]s that intake checks. What only the guide says (conditions in words, legal
//! bases, steps, FAQ, the hotline) is `data/guide.json`, each entry citing its source
//! (the Gansu plan or FACTS.md).

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{Category, Department, Item, wire_enum};
use crate::conditions::Condition;
use crate::data::{Confidence, DataError};
use crate::materials::{Catalog, Form, MaterialCondition, MaterialKind, Source};
use crate::province::ProvinceProfile;

const GUIDE_JSON: &str = include_str!("../data/guide.json");
/// Replaced in condition texts by the profile's minimum passport validity.
const PASSPORT_MONTHS: &str = "{min_passport_validity_months}";

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    fn replace(&self, from: &str, to: &str) -> Text {
        Text { zh: self.zh.replace(from, to), en: self.en.replace(from, to) }
    }
}

wire_enum!(
    /// Whom an acceptance condition is about.
    Party { Employer => "employer", Applicant => "applicant" }
);

wire_enum!(
    /// When a condition is checked: by the system when the application is submitted (the
    /// one-time notice lists every failure), or by the reviewing department.
    CheckedAt { Submission => "submission", Review => "review" }
);

wire_enum!(
    /// How a material reaches the departments.
    Handover { Generated => "generated", Upload => "upload", Counter => "counter" }
);

impl Handover {
    fn of(source: Source, form: Form) -> Handover {
        match (source, form) {
            (Source::System, _) => Handover::Generated,
            (Source::Applicant, Form::Electronic) => Handover::Upload,
            (Source::Applicant, Form::Paper) => Handover::Counter,
        }
    }
}

/// Who runs the service and where it is applied for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ServiceInfo {
    pub lead_department: Text,
    pub joint_departments: Vec<Text>,
    pub applicants: Text,
    pub case_type: Text,
    pub handling: Text,
    pub levels: Text,
    pub channels: Vec<Text>,
    pub online_depth: Text,
    pub source: String,
}

/// One item of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ItemGuide {
    pub item: Item,
    pub name: Text,
    pub note: Text,
    /// The employer may leave it out (social insurance, title review).
    pub optional: bool,
    /// The departments that may handle it (the work permit's depends on the category).
    pub departments: Vec<Department>,
    /// The materials it needs when applied for on its own.
    pub materials: Vec<MaterialKind>,
    pub source: String,
}

/// Time, trips, documents and steps of one way of applying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Figures {
    pub working_days: u32,
    pub trips: u32,
    pub documents: u32,
    pub steps: u32,
}

/// 联办效能: each item applied for on its own against the joint application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Efficiency {
    pub separate: Figures,
    pub joint: Figures,
    pub source: String,
}

/// A time limit set by law or regulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct StatutoryLimit {
    /// The item it concerns; `None` for administrative licences in general.
    pub item: Option<Item>,
    pub text: Text,
    pub confidence: Confidence,
    pub source: String,
}

/// The case deadlines (those the case view counts down) and the statutory limits behind them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TimeLimits {
    pub committed_working_days: u32,
    pub statutory_working_days: u32,
    pub source: String,
    pub statutory: Vec<StatutoryLimit>,
}

/// One acceptance condition (受理条件).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ConditionGuide {
    pub party: Party,
    pub text: Text,
    /// The conditions intake checks for it; empty when the reviewing department judges it.
    pub checks: Vec<Condition>,
    pub checked_at: CheckedAt,
    pub source: String,
}

/// One of the 16 materials, as the catalog has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct MaterialGuide {
    pub kind: MaterialKind,
    pub name: Text,
    pub source: Source,
    pub form: Form,
    pub items: Vec<Item>,
    /// `None`: always needed by its items.
    pub condition: Option<MaterialCondition>,
    pub required_when: Text,
    pub handover: Handover,
    pub handover_text: Text,
}

/// A law or regulation an item rests on (法定依据).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct LegalBasis {
    pub item: Item,
    pub title: Text,
    pub issuer: Text,
    #[cfg_attr(feature = "schema", schema(value_type = String, format = Date))]
    pub effective_from: NaiveDate,
    pub provision: Text,
    pub source: String,
}

/// Visits in person (到场次数) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Trips {
    pub count: u32,
    pub reason: Text,
    pub source: String,
}

/// One of the applicant's steps (办理环节).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Step {
    pub title: Text,
    pub text: Text,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Faq {
    pub question: Text,
    pub answer: Text,
    pub source: String,
}

/// The consultation and complaint line (咨询投诉).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Hotline {
    pub number: String,
    pub source: String,
}

/// The whole guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Guide {
    /// The full citation of the plan that the entries' `source: "plan: ..."` refer to.
    #[serde(rename = "source")]
    pub plan: String,
    pub title: Text,
    pub service: ServiceInfo,
    pub items: Vec<ItemGuide>,
    pub efficiency: Efficiency,
    pub time_limits: TimeLimits,
    pub conditions: Vec<ConditionGuide>,
    pub materials: Vec<MaterialGuide>,
    /// Where the catalog's sources, forms and conditions come from.
    pub materials_source: String,
    pub legal_bases: Vec<LegalBasis>,
    pub trips: Trips,
    pub steps: Vec<Step>,
    pub faq: Vec<Faq>,
    pub hotline: Hotline,
    /// Where the work can be: the province's prefecture-level divisions (GB/T 2260), the
    /// codes the application's `employer.region_code` takes.
    pub regions: Vec<Region>,
}

/// One place of work the application offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Region {
    pub code: String,
    pub name: Text,
}

// The shape of data/guide.json.

#[derive(Deserialize)]
struct GuideFile {
    plan: String,
    title: Text,
    service: ServiceInfo,
    items: Vec<ItemEntry>,
    efficiency: Efficiency,
    time_limits: TimeLimitsEntry,
    conditions: Vec<ConditionEntry>,
    materials: MaterialsEntry,
    legal_bases: Vec<LegalBasis>,
    trips: Trips,
    steps: Vec<Step>,
    faq: Vec<Faq>,
    hotline: Hotline,
}

#[derive(Deserialize)]
struct ItemEntry {
    item: Item,
    name: Text,
    note: Text,
    source: String,
}

#[derive(Deserialize)]
struct TimeLimitsEntry {
    source: String,
    statutory: Vec<StatutoryLimit>,
}

#[derive(Deserialize)]
struct ConditionEntry {
    party: Party,
    text: Text,
    checks: Vec<Condition>,
    source: String,
}

#[derive(Deserialize)]
struct HandoverTexts {
    generated: Text,
    upload: Text,
    counter: Text,
}

#[derive(Deserialize)]
struct RequiredWhenTexts {
    always: Text,
    public_institution: Text,
    passport_lost: Text,
}

#[derive(Deserialize)]
struct MaterialsEntry {
    handover: HandoverTexts,
    required_when: RequiredWhenTexts,
    source: String,
}

impl Guide {
    /// The guide of the embedded data (Gansu).
    pub fn embedded() -> &'static Guide {
        static GUIDE: OnceLock<Guide> = OnceLock::new();
        // The embedded files are checked by the tests of this module.
        GUIDE.get_or_init(|| {
            Guide::render(GUIDE_JSON, Catalog::embedded(), &ProvinceProfile::gansu())
                .expect("embedded data/guide.json is valid")
        })
    }

    /// Renders a guide file with the catalog and the province profile. The file must speak
    /// of every item once, link every acceptance condition the system checks, and state
    /// the deadlines the profile sets.
    pub fn render(json: &str, catalog: &Catalog, profile: &ProvinceProfile) -> Result<Guide, DataError> {
        const FILE: &str = "service guide";
        let f: GuideFile = serde_json::from_str(json).map_err(|e| DataError::json(FILE, e))?;
        for item in Item::ALL {
            if f.items.iter().filter(|e| e.item == *item).count() != 1 {
                return Err(DataError::invalid(FILE, format!("item {item} must be described exactly once")));
            }
            if !f.legal_bases.iter().any(|b| b.item == *item) {
                return Err(DataError::invalid(FILE, format!("item {item} has no legal basis")));
            }
        }
        if let Some(c) = Condition::ALL.iter().find(|c| !f.conditions.iter().any(|e| e.checks.contains(c))) {
            return Err(DataError::invalid(FILE, format!("the acceptance condition {c} is in no entry")));
        }
        let deadlines = &profile.deadlines.value;
        if (f.efficiency.joint.working_days, f.efficiency.separate.working_days)
            != (deadlines.committed_working_days, deadlines.statutory_working_days)
        {
            return Err(DataError::invalid(FILE, "efficiency working days differ from the profile's deadlines"));
        }
        if f.trips.count != f.efficiency.joint.trips || f.steps.len() as u32 != f.efficiency.joint.steps {
            return Err(DataError::invalid(FILE, "trips or steps differ from the joint efficiency figures"));
        }

        let items = f
            .items
            .into_iter()
            .map(|e| {
                let mut departments: Vec<Department> = Category::ALL.iter().map(|c| e.item.department(*c)).collect();
                departments.sort();
                departments.dedup();
                ItemGuide {
                    optional: !e.item.is_mandatory(),
                    departments,
                    materials: catalog.all().filter(|m| m.items.contains(&e.item)).map(|m| m.kind).collect(),
                    item: e.item,
                    name: e.name,
                    note: e.note,
                    source: e.source,
                }
            })
            .collect();
        let months = profile.min_passport_validity_months.value.to_string();
        let conditions = f
            .conditions
            .into_iter()
            .map(|e| ConditionGuide {
                party: e.party,
                text: e.text.replace(PASSPORT_MONTHS, &months),
                checked_at: if e.checks.is_empty() { CheckedAt::Review } else { CheckedAt::Submission },
                checks: e.checks,
                source: e.source,
            })
            .collect();
        let texts = &f.materials;
        let materials = catalog
            .all()
            .map(|m| {
                let handover = Handover::of(m.source, m.form);
                MaterialGuide {
                    kind: m.kind,
                    name: Text { zh: m.name_zh.clone(), en: m.name_en.clone() },
                    source: m.source,
                    form: m.form,
                    items: m.items.clone(),
                    condition: m.condition,
                    required_when: match m.condition {
                        None => texts.required_when.always.clone(),
                        Some(MaterialCondition::PublicInstitution) => texts.required_when.public_institution.clone(),
                        Some(MaterialCondition::PassportLost) => texts.required_when.passport_lost.clone(),
                    },
                    handover,
                    handover_text: match handover {
                        Handover::Generated => texts.handover.generated.clone(),
                        Handover::Upload => texts.handover.upload.clone(),
                        Handover::Counter => texts.handover.counter.clone(),
                    },
                }
            })
            .collect();
        Ok(Guide {
            plan: f.plan,
            title: f.title,
            service: f.service,
            items,
            efficiency: f.efficiency,
            time_limits: TimeLimits {
                committed_working_days: deadlines.committed_working_days,
                statutory_working_days: deadlines.statutory_working_days,
                source: f.time_limits.source,
                statutory: f.time_limits.statutory,
            },
            conditions,
            materials,
            materials_source: f.materials.source,
            legal_bases: f.legal_bases,
            trips: f.trips,
            steps: f.steps,
            faq: f.faq,
            hotline: f.hotline,
            regions: profile
                .prefectures
                .value
                .iter()
                .map(|p| Region { code: p.code.clone(), name: Text { zh: p.name_zh.clone(), en: p.name_en.clone() } })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::EmployerKind;

    const BUNDLE: [Item; 4] = [Item::WorkPermit, Item::SocialInsurance, Item::TitleReview, Item::ResidencePermit];

    #[test]
    fn the_guide_lists_the_sixteen_materials_of_the_catalog_in_both_languages() {
        let g = Guide::embedded();
        assert_eq!(g.materials.len(), 16);
        for (m, info) in g.materials.iter().zip(Catalog::embedded().all()) {
            assert_eq!((m.kind, &m.name.zh, &m.name.en), (info.kind, &info.name_zh, &info.name_en));
            assert!(!m.required_when.zh.is_empty() && !m.handover_text.en.is_empty());
        }
        let counter: Vec<_> = g.materials.iter().filter(|m| m.handover == Handover::Counter).map(|m| m.kind).collect();
        assert_eq!(counter.len(), 4);
        let lost = g.materials.iter().find(|m| m.kind == MaterialKind::PassportLossCertificate).unwrap();
        assert!(lost.required_when.en.contains("lost"));
    }

    #[test]
    fn every_condition_intake_checks_is_in_the_guide_and_the_rest_are_for_review() {
        let g = Guide::embedded();
        for c in Condition::ALL {
            assert!(g.conditions.iter().any(|e| e.checks.contains(c)), "{c}");
        }
        let review = g.conditions.iter().filter(|e| e.checked_at == CheckedAt::Review).count();
        assert_eq!(review, 4);
        let passport = g.conditions.iter().find(|e| e.checks.contains(&Condition::PassportValidity)).unwrap();
        assert!(passport.text.en.contains("at least 6 months"), "{}", passport.text.en);
        assert!(!passport.text.zh.contains('{'));
    }

    /// The plan's 联办效能 agree with the rules: the deadlines of the profile and the
    /// catalog's count for the headline case (a public institution, passport not lost).
    #[test]
    fn the_efficiency_figures_agree_with_the_deadlines_and_the_catalog() {
        let g = Guide::embedded();
        let count = Catalog::embedded().count(&BUNDLE, EmployerKind::PublicInstitution, false);
        assert_eq!((g.efficiency.joint.documents, g.efficiency.separate.documents), (15, 20));
        assert_eq!((count.joint, count.separate), (15, 20));
        assert_eq!((g.time_limits.committed_working_days, g.time_limits.statutory_working_days), (15, 90));
        assert_eq!((g.trips.count, g.steps.len()), (1, 2));
        assert_eq!(g.hotline.number, "0931-12345");
    }

    #[test]
    fn items_say_who_handles_them_and_what_they_need() {
        let g = Guide::embedded();
        let permit = &g.items[0];
        assert_eq!(permit.item, Item::WorkPermit);
        assert_eq!(permit.departments, [Department::ScienceTech, Department::Hrss]);
        assert!(!permit.optional);
        assert_eq!(permit.materials.len(), 8);
        let optional: Vec<Item> = g.items.iter().filter(|i| i.optional).map(|i| i.item).collect();
        assert_eq!(optional, [Item::SocialInsurance, Item::TitleReview]);
        assert!(g.legal_bases.iter().all(|b| !b.title.zh.is_empty() && !b.provision.en.is_empty()));
        assert!(g.faq.iter().all(|f| f.source.starts_with("plan")));
    }

    #[test]
    fn a_guide_missing_an_item_or_a_condition_is_refused() {
        let profile = ProvinceProfile::gansu();
        let no_title = GUIDE_JSON.replacen("\"item\": \"title_review\"", "\"item\": \"work_permit\"", 1);
        assert!(matches!(Guide::render(&no_title, Catalog::embedded(), &profile), Err(DataError::Invalid { .. })));
        let no_check = GUIDE_JSON.replace("\"applicant_adult\"", "");
        assert!(Guide::render(&no_check, Catalog::embedded(), &profile).is_err());
        let mut slower = profile.clone();
        slower.deadlines.value.committed_working_days = 20;
        assert!(Guide::render(GUIDE_JSON, Catalog::embedded(), &slower).is_err());
    }
}
