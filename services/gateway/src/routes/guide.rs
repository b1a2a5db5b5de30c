//! `GET /api/v1/guide` (no auth): the service guide (办事指南) in Chinese and English.
//!
//! Served at the edge from the domain crate, like the classification: the guide is pure
//! data rendered from the same catalog, province profile and conditions the rules use
//! ([`domain::guide::Guide`]), the same for every caller, so a service call would add a
//! network hop and a failure mode and nothing else.

use std::sync::LazyLock;

use chrono::NaiveDate;
use domain::case::{Department, Item};
use domain::conditions::Condition;
use domain::guide as g;
use domain::materials::{Form, MaterialCondition, MaterialKind, Source};
use serde::Serialize;
use utoipa::ToSchema;

/// A text in both languages.
#[derive(Serialize, ToSchema)]
pub struct Bilingual {
    pub zh: String,
    pub en: String,
}

impl From<&g::Text> for Bilingual {
    fn from(t: &g::Text) -> Self {
        Bilingual { zh: t.zh.clone(), en: t.en.clone() }
    }
}

fn texts(ts: &[g::Text]) -> Vec<Bilingual> {
    ts.iter().map(Bilingual::from).collect()
}

/// Who runs the service and where it is applied for.
#[derive(Serialize, ToSchema)]
pub struct GuideService {
    pub lead_department: Bilingual,
    pub joint_departments: Vec<Bilingual>,
    /// 服务对象.
    pub applicants: Bilingual,
    /// 办件类型.
    pub case_type: Bilingual,
    /// 事项审查类型.
    pub handling: Bilingual,
    pub levels: Bilingual,
    pub channels: Vec<Bilingual>,
    pub online_depth: Bilingual,
    pub source: String,
}

/// One item of the bundle.
#[derive(Serialize, ToSchema)]
pub struct GuideItem {
    /// `work_permit`, `social_insurance`, `title_review`, `residence_permit`.
    #[schema(value_type = String)]
    pub item: Item,
    pub name: Bilingual,
    pub note: Bilingual,
    /// The employer may leave it out.
    pub optional: bool,
    /// The departments that may handle it (the work permit's depends on the category).
    #[schema(value_type = Vec<String>)]
    pub departments: Vec<Department>,
    /// Material kinds it needs when applied for on its own.
    #[schema(value_type = Vec<String>)]
    pub materials: Vec<MaterialKind>,
    pub source: String,
}

/// Time, trips, documents and steps of one way of applying.
#[derive(Serialize, ToSchema)]
pub struct GuideFigures {
    pub working_days: u32,
    pub trips: u32,
    pub documents: u32,
    pub steps: u32,
}

impl From<&g::Figures> for GuideFigures {
    fn from(f: &g::Figures) -> Self {
        GuideFigures { working_days: f.working_days, trips: f.trips, documents: f.documents, steps: f.steps }
    }
}

/// 联办效能: each item on its own against the joint application.
#[derive(Serialize, ToSchema)]
pub struct GuideEfficiency {
    pub separate: GuideFigures,
    pub joint: GuideFigures,
    pub source: String,
}

/// A time limit set by law or regulation.
#[derive(Serialize, ToSchema)]
pub struct GuideStatutoryLimit {
    /// The item it concerns; null for administrative licences in general.
    #[schema(value_type = Option<String>)]
    pub item: Option<Item>,
    pub text: Bilingual,
    /// FACTS.md's label: `confirmed`, `single source`, `conflicting`, `derived`, `not found`.
    #[schema(value_type = String)]
    pub confidence: domain::data::Confidence,
    pub source: String,
}

/// The case deadlines (committed 15, statutory 90 working days) and the statutory limits.
#[derive(Serialize, ToSchema)]
pub struct GuideTimeLimits {
    pub committed_working_days: u32,
    pub statutory_working_days: u32,
    pub source: String,
    pub statutory: Vec<GuideStatutoryLimit>,
}

/// One acceptance condition (受理条件).
#[derive(Serialize, ToSchema)]
pub struct GuideCondition {
    /// `employer` or `applicant`.
    #[schema(value_type = String)]
    pub party: g::Party,
    pub text: Bilingual,
    /// The acceptance conditions the system checks for it (the codes of the one-time
    /// notice's rules); empty when the reviewing department judges it.
    #[schema(value_type = Vec<String>)]
    pub checks: Vec<Condition>,
    /// `submission` (checked by the system at once) or `review` (by the department).
    #[schema(value_type = String)]
    pub checked_at: g::CheckedAt,
    pub source: String,
}

/// One of the 16 materials (API.md's table).
#[derive(Serialize, ToSchema)]
pub struct GuideMaterial {
    /// The material's code, e.g. `passport`.
    #[schema(value_type = String)]
    pub kind: MaterialKind,
    pub name: Bilingual,
    /// `system` (generated) or `applicant`.
    #[schema(value_type = String)]
    pub source: Source,
    /// `electronic` or `paper`.
    #[schema(value_type = String)]
    pub form: Form,
    #[schema(value_type = Vec<String>)]
    pub items: Vec<Item>,
    /// null (always needed by its items), `public_institution` or `passport_lost`.
    #[schema(value_type = Option<String>)]
    pub condition: Option<MaterialCondition>,
    pub required_when: Bilingual,
    /// `generated`, `upload` (with the online application) or `counter` (paper, at the
    /// exit-entry office).
    #[schema(value_type = String)]
    pub handover: g::Handover,
    pub handover_text: Bilingual,
}

/// A law or regulation an item rests on (法定依据).
#[derive(Serialize, ToSchema)]
pub struct GuideLegalBasis {
    #[schema(value_type = String)]
    pub item: Item,
    pub title: Bilingual,
    pub issuer: Bilingual,
    #[schema(value_type = String, format = Date)]
    pub effective_from: NaiveDate,
    pub provision: Bilingual,
    pub source: String,
}

/// Visits in person (到场次数) and why.
#[derive(Serialize, ToSchema)]
pub struct GuideTrips {
    pub count: u32,
    pub reason: Bilingual,
    pub source: String,
}

/// One of the applicant's steps (办理环节), in order.
#[derive(Serialize, ToSchema)]
pub struct GuideStep {
    pub title: Bilingual,
    pub text: Bilingual,
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct GuideFaq {
    pub question: Bilingual,
    pub answer: Bilingual,
    pub source: String,
}

/// The consultation and complaint line.
#[derive(Serialize, ToSchema)]
pub struct GuideHotline {
    pub number: String,
    pub source: String,
}

/// A place of work: a prefecture-level division (GB/T 2260) of the province.
#[derive(Serialize, ToSchema)]
pub struct GuideRegion {
    pub code: String,
    pub name: Bilingual,
}

/// The service guide. Entries' `source` fields cite the plan (`plan: ...`, see `source`
/// at the top) or FACTS.md; a material's `source` is who provides it.
#[derive(Serialize, ToSchema)]
pub struct Guide {
    /// The full citation of the Gansu plan the entries refer to.
    pub source: String,
    pub title: Bilingual,
    pub service: GuideService,
    pub items: Vec<GuideItem>,
    pub efficiency: GuideEfficiency,
    pub time_limits: GuideTimeLimits,
    pub conditions: Vec<GuideCondition>,
    pub materials: Vec<GuideMaterial>,
    pub materials_source: String,
    pub legal_bases: Vec<GuideLegalBasis>,
    pub trips: GuideTrips,
    pub steps: Vec<GuideStep>,
    pub faq: Vec<GuideFaq>,
    pub hotline: GuideHotline,
    /// The codes `employer.region_code` takes, with their names.
    pub regions: Vec<GuideRegion>,
}

impl From<&g::Guide> for Guide {
    fn from(d: &g::Guide) -> Self {
        let s = &d.service;
        Guide {
            source: d.plan.clone(),
            title: (&d.title).into(),
            service: GuideService {
                lead_department: (&s.lead_department).into(),
                joint_departments: texts(&s.joint_departments),
                applicants: (&s.applicants).into(),
                case_type: (&s.case_type).into(),
                handling: (&s.handling).into(),
                levels: (&s.levels).into(),
                channels: texts(&s.channels),
                online_depth: (&s.online_depth).into(),
                source: s.source.clone(),
            },
            items: d
                .items
                .iter()
                .map(|i| GuideItem {
                    item: i.item,
                    name: (&i.name).into(),
                    note: (&i.note).into(),
                    optional: i.optional,
                    departments: i.departments.clone(),
                    materials: i.materials.clone(),
                    source: i.source.clone(),
                })
                .collect(),
            efficiency: GuideEfficiency {
                separate: (&d.efficiency.separate).into(),
                joint: (&d.efficiency.joint).into(),
                source: d.efficiency.source.clone(),
            },
            time_limits: GuideTimeLimits {
                committed_working_days: d.time_limits.committed_working_days,
                statutory_working_days: d.time_limits.statutory_working_days,
                source: d.time_limits.source.clone(),
                statutory: d
                    .time_limits
                    .statutory
                    .iter()
                    .map(|l| GuideStatutoryLimit {
                        item: l.item,
                        text: (&l.text).into(),
                        confidence: l.confidence,
                        source: l.source.clone(),
                    })
                    .collect(),
            },
            conditions: d
                .conditions
                .iter()
                .map(|c| GuideCondition {
                    party: c.party,
                    text: (&c.text).into(),
                    checks: c.checks.clone(),
                    checked_at: c.checked_at,
                    source: c.source.clone(),
                })
                .collect(),
            materials: d
                .materials
                .iter()
                .map(|m| GuideMaterial {
                    kind: m.kind,
                    name: (&m.name).into(),
                    source: m.source,
                    form: m.form,
                    items: m.items.clone(),
                    condition: m.condition,
                    required_when: (&m.required_when).into(),
                    handover: m.handover,
                    handover_text: (&m.handover_text).into(),
                })
                .collect(),
            materials_source: d.materials_source.clone(),
            legal_bases: d
                .legal_bases
                .iter()
                .map(|b| GuideLegalBasis {
                    item: b.item,
                    title: (&b.title).into(),
                    issuer: (&b.issuer).into(),
                    effective_from: b.effective_from,
                    provision: (&b.provision).into(),
                    source: b.source.clone(),
                })
                .collect(),
            trips: GuideTrips {
                count: d.trips.count,
                reason: (&d.trips.reason).into(),
                source: d.trips.source.clone(),
            },
            steps: d
                .steps
                .iter()
                .map(|s| GuideStep { title: (&s.title).into(), text: (&s.text).into(), source: s.source.clone() })
                .collect(),
            faq: d
                .faq
                .iter()
                .map(|f| GuideFaq {
                    question: (&f.question).into(),
                    answer: (&f.answer).into(),
                    source: f.source.clone(),
                })
                .collect(),
            hotline: GuideHotline { number: d.hotline.number.clone(), source: d.hotline.source.clone() },
            regions: d.regions.iter().map(|r| GuideRegion { code: r.code.clone(), name: (&r.name).into() }).collect(),
        }
    }
}

/// Rendered once: the guide is embedded data.
static GUIDE: LazyLock<axum::body::Bytes> =
    LazyLock::new(|| serde_json::to_vec(&Guide::from(g::Guide::embedded())).unwrap_or_default().into());

/// The service guide: conditions, the materials per item, legal bases, time limits, trips,
/// steps, FAQ and the hotline, in Chinese and English.
#[utoipa::path(get, path = "/api/v1/guide", tag = "guide", security(()),
    responses((status = 200, description = "the guide; every entry cites its source", body = Guide)))]
pub async fn guide() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], GUIDE.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_answers_sixteen_materials_in_both_languages() {
        let v: serde_json::Value = serde_json::from_slice(&GUIDE).unwrap();
        let materials = v["materials"].as_array().unwrap();
        assert_eq!(materials.len(), 16);
        assert!(materials.iter().all(|m| m["name"]["zh"].is_string() && m["name"]["en"].is_string()));
        assert_eq!(v["hotline"]["number"], "0931-12345");
        assert_eq!(v["time_limits"]["committed_working_days"], 15);
        assert_eq!(v["efficiency"]["joint"]["documents"], 15);
        assert_eq!(v["items"][0]["departments"], serde_json::json!(["science-tech", "hrss"]));
        assert_eq!(v["legal_bases"][0]["effective_from"], "2013-07-01");
        assert_eq!(v["time_limits"]["statutory"][0]["confidence"], "confirmed");
    }
}
