//! The one-time notice (一次性告知): everything wrong with a submission, listed at once in
//! Chinese and English, so the employer fixes it in one round instead of many.
//!
//! [`one_time_notice`] runs intake, the profile check, classification, the acceptance
//! conditions and the material checks on one submission and returns either an
//! [`Accepted`] case (with its category decided by the points table and its deadlines) or
//! a [`Notice`] with every problem. A notice converts into [`Violations`] so that the HTTP
//! (422) and gRPC layers can carry it.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendar::Due;
use crate::case::{Category, Department, EmployerKind, Item, normalise_items, wire_enum};
use crate::classification::{Classification, ClassificationInput, classify};
use crate::conditions::{Rules, assess, assess_submission, codes};
use crate::intake::{NewCase, SubmissionInput, codes as intake, parse_submission};
use crate::materials::{Catalog, MaterialKind, Requirements, check_material, generate_form};
use crate::violation::{Note, Violation, Violations};

/// One problem of a submission, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeItem {
    pub field: String,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

/// Every problem of a submission (or a reviewer's request for supplements).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub items: Vec<NoticeItem>,
}

/// Code of the items of a reviewer's supplement request.
pub const SUPPLEMENT_REQUESTED: &str = "supplement_requested";

impl Notice {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Adds an item unless one with the same field and code is already listed (a missing
    /// certificate is both a condition and a missing material: it is told once).
    pub fn push(&mut self, item: NoticeItem) {
        if !self.items.iter().any(|i| i.field == item.field && i.code == item.code) {
            self.items.push(item);
        }
    }

    /// Adds violations, with their Chinese message or the one of their code.
    pub fn extend_violations(&mut self, violations: &Violations) {
        for v in &violations.0 {
            let message_zh = v.message_zh.clone().unwrap_or_else(|| zh_message(&v.field, &v.code));
            self.push(NoticeItem {
                field: v.field.clone(),
                code: v.code.clone(),
                message_zh,
                message_en: v.message.clone(),
            });
        }
    }

    /// A reviewer's request to supply materials again, with the reviewer's note.
    pub fn supplement(materials: &[MaterialKind], note: &str) -> Notice {
        let catalog = Catalog::embedded();
        let note = note.trim();
        let mut n = Notice::default();
        for kind in materials {
            let info = catalog.info(*kind);
            let (en_tail, zh_tail) = if note.is_empty() {
                (String::new(), String::new())
            } else {
                (format!(": {note}"), format!("：{note}"))
            };
            n.push(NoticeItem {
                field: format!("materials.{kind}"),
                code: SUPPLEMENT_REQUESTED.into(),
                message_zh: format!("请补正材料“{}”{zh_tail}", info.name_zh),
                message_en: format!("please supply the {} again{en_tail}", info.name_en),
            });
        }
        n
    }
}

impl From<Notice> for Violations {
    fn from(n: Notice) -> Violations {
        Violations(
            n.items.into_iter().map(|i| Violation::new(i.field, i.code, i.message_en).with_zh(i.message_zh)).collect(),
        )
    }
}

impl From<&Violations> for Notice {
    fn from(v: &Violations) -> Notice {
        let mut n = Notice::default();
        n.extend_violations(v);
        n
    }
}

wire_enum!(
    /// What decided the category of an accepted case.
    CategorySource {
        /// The points table (with direct qualifications and B conditions).
        Classification => "classification",
        /// Kept for records written before the fallback to the client's category was removed.
        RequestFallback => "request_fallback",
    }
);

/// A submission that passed: the case, its category and its deadlines.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub case: NewCase,
    /// The classification of the case data (also computed when the category fell back).
    pub classification: Classification,
    /// The category to route by.
    pub category: Category,
    pub category_source: CategorySource,
    pub accepted_on: NaiveDate,
    pub due: Due,
    /// Online, system and paper materials of the bundle.
    pub requirements: Requirements,
    /// Online materials accepted as missing (category A, 容缺受理, when enabled).
    pub to_supplement: Vec<MaterialKind>,
    pub notes: Vec<Note>,
}

impl Accepted {
    /// The department of the work permit.
    pub fn department(&self) -> Department {
        self.category.department()
    }

    /// The system forms of the bundle, generated from the case, with the decided category.
    pub fn forms(&self) -> Vec<(MaterialKind, Value)> {
        self.requirements
            .system
            .iter()
            .filter_map(|k| {
                let mut form = generate_form(*k, &self.case).ok()?;
                if let Some(obj) = form.as_object_mut() {
                    obj.insert("category".into(), Value::String(self.category.as_str().into()));
                }
                Some((*k, form))
            })
            .collect()
    }
}

/// Checks a submission completely on the submission date `today`: fields, profile,
/// acceptance conditions, missing and invalid materials. Everything found is listed at once.
pub fn one_time_notice(input: &SubmissionInput, rules: &Rules, today: NaiveDate) -> Result<Accepted, Notice> {
    let mut notice = Notice::default();
    let parsed = parse_submission(input);
    if let Err(v) = &parsed {
        notice.extend_violations(v);
    }
    notice.extend_violations(&ClassificationInput::check_profile(&input.profile));

    let assessment = match &parsed {
        Ok(case) => assess(case, today, rules),
        Err(_) => assess_submission(input, today, rules),
    };
    notice.extend_violations(&assessment.violations);

    // Materials, on what the submission carries validly (field errors are listed above).
    let items = normalise_items(input.items.iter().filter_map(|s| s.trim().parse::<Item>().ok()));
    let employer_kind = input
        .employer
        .kind
        .as_deref()
        .and_then(|s| s.trim().parse::<EmployerKind>().ok())
        .unwrap_or(EmployerKind::Enterprise);
    let passport_lost = input.applicant.passport_lost.unwrap_or(false);
    let catalog = Catalog::embedded();
    let present: BTreeSet<MaterialKind> =
        input.materials.iter().filter_map(|m| m.kind.as_deref()?.trim().parse().ok()).collect();
    let missing = catalog.missing_online(&items, employer_kind, passport_lost, &present);
    let mut missing_items = Notice::default();
    for kind in &missing {
        let info = catalog.info(*kind);
        missing_items.push(NoticeItem {
            field: format!("materials.{kind}"),
            code: codes::MATERIAL_MISSING.into(),
            message_zh: format!("缺少材料“{}”", info.name_zh),
            message_en: format!("the material {} ({kind}) is missing", info.name_en),
        });
    }
    for (i, m) in input.materials.iter().enumerate() {
        let (Some(kind), Some(facts)) =
            (m.kind.as_deref().and_then(|s| s.trim().parse::<MaterialKind>().ok()), &m.facts)
        else {
            continue;
        };
        for p in check_material(kind, facts, today) {
            notice.push(NoticeItem {
                field: format!("materials[{i}]"),
                code: p.code.into(),
                message_zh: p.message_zh,
                message_en: p.message_en,
            });
        }
    }

    let Ok(case) = parsed else {
        merge_missing(&mut notice, missing_items);
        return Err(notice);
    };
    let classification_input = ClassificationInput::from_profile(
        &case.profile,
        case.applicant.birth_date,
        case.position.annual_salary_cny,
        &case.employer.region_code,
        today,
    );
    let classification_input = match classification_input {
        Ok(c) => c,
        Err(v) => {
            notice.extend_violations(&v);
            merge_missing(&mut notice, missing_items);
            return Err(notice);
        }
    };
    let classification = classify(&classification_input, &rules.points, &rules.province);
    let mut notes = assessment.notes;
    notes.extend(classification.notes.iter().cloned());
    // The points table decides, always: a category chosen by the client would let an
    // employer pick the department and skip the classification.
    if let Some(r) = case.category.filter(|r| *r != classification.category) {
        notes.push(Note::new(
            "category_request_ignored",
            format!("the requested category {r} is ignored: the points table gives {}", classification.category),
        ));
    }
    let (category, category_source) = (classification.category, CategorySource::Classification);

    // 容缺受理: an A applicant may be accepted with online materials missing, when enabled.
    let mut to_supplement = Vec::new();
    if category == Category::A && rules.accept_a_with_missing_materials {
        notice.items.retain(|i| i.code != codes::MATERIAL_MISSING);
        to_supplement = missing;
        if !to_supplement.is_empty() {
            notes.push(Note::new(
                "accepted_with_missing_materials",
                "category A: accepted with materials to be supplied (容缺受理)",
            ));
        }
    } else {
        merge_missing(&mut notice, missing_items);
    }
    if !notice.is_empty() {
        return Err(notice);
    }

    let requirements = catalog.requirements(&case.items, case.employer.kind, case.applicant.passport_lost);
    // An application received on a rest day is accepted on the next working day.
    let accepted_on = rules.calendar.next_working_day(today);
    let due = rules.calendar.due_dates(accepted_on, &rules.province.deadlines.value);
    if due.estimated {
        notes.push(Note::new(
            "deadline_estimated",
            "a deadline runs into a year whose holidays are not yet published; it counts weekends only",
        ));
    }
    Ok(Accepted {
        case,
        classification,
        category,
        category_source,
        accepted_on,
        due,
        requirements,
        to_supplement,
        notes,
    })
}

fn merge_missing(notice: &mut Notice, missing: Notice) {
    for item in missing.items {
        // A certificate missing is already listed by the conditions, with its English text.
        if let Some(existing) = notice.items.iter_mut().find(|i| i.field == item.field && i.code == item.code) {
            existing.message_zh = item.message_zh;
            existing.message_en = item.message_en;
        } else {
            notice.items.push(item);
        }
    }
}

/// Chinese labels of the submission's fields.
fn field_zh(field: &str) -> String {
    let label = match field {
        "employer.credit_code" => "统一社会信用代码",
        "employer.name" => "用人单位名称",
        "employer.region_code" => "用人单位所在地行政区划代码",
        "employer.kind" => "用人单位类型",
        "employer.sector_preapproval" => "行业主管部门前置审批",
        "applicant.surname" => "申请人姓",
        "applicant.given_names" => "申请人名",
        "applicant.sex" => "性别",
        "applicant.nationality" => "国籍",
        "applicant.birth_date" => "出生日期",
        "applicant.passport_number" => "护照号码",
        "applicant.passport_expiry" => "护照有效期",
        "position.title" => "岗位名称",
        "position.annual_salary_cny" => "年薪（元）",
        "position.start_date" => "合同起始日期",
        "position.contract_months" => "合同期限（月）",
        "position.sector" => "岗位所属行业",
        "profile.education" => "学历学位",
        "profile.vocational" => "职业资格",
        "profile.work_experience_years" => "工作经历年限",
        "profile.months_in_china_per_year" => "每年在华工作月数",
        "profile.chinese" => "汉语水平",
        "profile.extras" => "加分项",
        "profile.local_bonus" => "地方鼓励性加分",
        "profile.direct_qualification" => "直接认定条件",
        "category" => "类别",
        "items" => "办理事项",
        _ => {
            if let Some(kind) = field.strip_prefix("materials.").and_then(|k| k.parse::<MaterialKind>().ok()) {
                return format!("材料“{}”", Catalog::embedded().info(kind).name_zh);
            }
            if field.starts_with("items[") {
                return format!("办理事项 {field}");
            }
            if field.starts_with("materials[") {
                return format!("材料 {field}");
            }
            if field.starts_with("profile.extras[") {
                return format!("加分项 {field}");
            }
            return field.to_string();
        }
    };
    label.to_string()
}

/// The Chinese message of a violation code.
fn zh_message(field: &str, code: &str) -> String {
    let f = field_zh(field);
    match code {
        "required" => format!("{f}为必填项"),
        "invalid_date" => format!("{f}须为 YYYY-MM-DD 格式的日期"),
        "too_long" => format!("{f}过长"),
        "invalid_region_code" => format!("{f}须为6位行政区划代码（GB/T 2260）"),
        "unknown_value" => format!("{f}的取值不在允许范围内"),
        "invalid_type" => format!("{f}的数据类型不正确"),
        "negative" => format!("{f}不能为负数"),
        "not_an_integer" => format!("{f}须为整数"),
        "out_of_range" => format!("{f}超出允许范围"),
        "not_positive" => format!("{f}须大于0"),
        "credit_code_length" => "统一社会信用代码须为18位".into(),
        "credit_code_character" => "统一社会信用代码含有不允许的字符".into(),
        "credit_code_check" => "统一社会信用代码校验位错误".into(),
        "passport_number_length" => "护照号码须为5至20位".into(),
        "passport_number_character" => "护照号码只能包含字母和数字".into(),
        "nationality_unknown" => "国籍须为 ISO 3166-1 三位字母国家代码".into(),
        "birth_date_after_as_of" => "出生日期不能晚于申请日期".into(),
        intake::NATIONALITY_CHINESE => "申请人具有中国国籍，不属于外国人，不能申请外国人来华工作许可".into(),
        intake::BIRTH_DATE_TOO_EARLY => "出生日期早于1900年，请核对".into(),
        intake::SALARY_ABOVE_BOUND => "年薪超出合理上限（1亿元），请核对".into(),
        intake::INVALID_CHARACTERS => format!("{f}含有控制字符或不可见字符（如零宽字符、双向文本控制符）"),
        codes::REGION_UNKNOWN => "行政区划代码不是本省的市（州）或县（市、区）代码".into(),
        codes::START_DATE_IN_PAST => "合同起始日期早于申请日期".into(),
        codes::EMPLOYER_DISHONEST => "用人单位被列入严重失信主体名单".into(),
        codes::REGION_OUTSIDE_PROVINCE => "用人单位所在地不在本省".into(),
        codes::SALARY_BELOW_MINIMUM_WAGE => "月工资低于当地最低工资标准".into(),
        codes::SECTOR_PREAPPROVAL_MISSING => "该行业岗位须提供行业主管部门前置审批文件".into(),
        codes::APPLICANT_UNDER_18 => "申请人未满18周岁".into(),
        codes::PASSPORT_EXPIRED => "护照已过期".into(),
        codes::PASSPORT_VALIDITY_TOO_SHORT => "护照有效期不足：须覆盖整个合同期限，且自申请之日起不少于规定月数".into(),
        codes::MATERIAL_MISSING => format!("缺少{f}"),
        _ => format!("{f}不符合要求（{code}）"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conditions::DishonestyList;
    use crate::ids::CreditCode;
    use crate::intake::MaterialRefInput;
    use crate::materials::MaterialFacts;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const TODAY: &str = "2026-03-02";

    const ONLINE_FOR_WP_RP: [MaterialKind; 7] = [
        MaterialKind::WorkExperienceProof,
        MaterialKind::HighestDegreeOrQualification,
        MaterialKind::CriminalRecordCertificate,
        MaterialKind::HealthCertificate,
        MaterialKind::EmploymentContract,
        MaterialKind::Passport,
        MaterialKind::Photo,
    ];

    fn material(kind: MaterialKind, i: usize) -> MaterialRefInput {
        MaterialRefInput {
            kind: Some(kind.as_str().into()),
            id: Some(format!("m{i}")),
            facts: Some(MaterialFacts::stored("application/pdf")),
        }
    }

    fn good() -> SubmissionInput {
        let mut input: SubmissionInput = serde_json::from_value(json!({
            "employer": {"credit_code": "91350100M000100Y43", "name": "Lanzhou Example Co.", "region_code": "620100", "kind": "enterprise"},
            "applicant": {"surname": "SMITH", "given_names": "JOHN", "sex": "M", "nationality": "GBR",
                          "birth_date": "1988-04-02", "passport_number": "E12345678", "passport_expiry": "2031-05-01"},
            "position": {"title": "Engineer", "annual_salary_cny": 300000, "start_date": "2026-04-01", "contract_months": 24},
            "profile": {"education": "master", "work_experience_years": 6.5, "months_in_china_per_year": 12, "chinese": "hsk3"},
            "items": ["work_permit", "residence_permit"],
            "category": "A"
        }))
        .unwrap();
        input.materials = ONLINE_FOR_WP_RP.iter().enumerate().map(|(i, k)| material(*k, i)).collect();
        input
    }

    #[test]
    fn a_complete_submission_is_accepted_and_routed_by_the_points_table() {
        let accepted = one_time_notice(&good(), &Rules::gansu(), d(TODAY)).unwrap();
        // 14 salary + 15 master + 9 work + 15 months + 3 hsk3 + 10 Gansu + 15 age (37) = 81 → B,
        // although the client asked for A.
        assert_eq!(accepted.classification.points, 81);
        assert_eq!((accepted.category, accepted.category_source), (Category::B, CategorySource::Classification));
        assert_eq!(accepted.department(), Department::ScienceTech);
        assert!(accepted.classification.issuer.starts_with("Lanzhou Municipal"));
        assert!(accepted.notes.iter().any(|n| n.code == "category_request_ignored"));
        assert_eq!(accepted.accepted_on, d(TODAY));
        assert_eq!(accepted.due.committed, d("2026-03-23"));
        assert!(!accepted.due.estimated);
        assert_eq!(accepted.requirements.paper.len(), 3);
        let forms = accepted.forms();
        assert_eq!(forms.len(), 1);
        assert_eq!(forms[0].1["category"], "B");
    }

    #[test]
    fn without_a_profile_the_points_table_still_decides() {
        let mut input = good();
        input.profile = Default::default();
        let accepted = one_time_notice(&input, &Rules::gansu(), d(TODAY)).unwrap();
        assert_eq!(accepted.category_source, CategorySource::Classification);
        assert_eq!(accepted.category, accepted.classification.category);
        assert!(accepted.notes.iter().any(|n| n.code == "category_request_ignored"));
    }

    #[test]
    fn every_problem_is_listed_at_once_in_both_languages() {
        let mut rules = Rules::gansu();
        rules.dishonesty.replace(DishonestyList::from_codes([CreditCode::parse("91350100M000100Y43").unwrap()]));
        let mut input = good();
        // Field violations.
        input.applicant.nationality = Some("XXX".into());
        input.position.start_date = Some("next spring".into());
        input.profile.chinese = Some("hsk9".into());
        // Violated conditions.
        input.position.annual_salary_cny = Some(20_000);
        input.applicant.birth_date = Some("2010-05-05".into());
        // Missing materials: the criminal record (also a condition) and the photo.
        input.materials.retain(|m| !matches!(m.kind.as_deref(), Some("criminal_record_certificate" | "photo")));
        // Invalid materials: a passport that expired, a PNG posing as a PDF.
        input.materials[0].facts = Some(MaterialFacts {
            detected_content_type: Some("image/png".into()),
            ..MaterialFacts::stored("application/pdf")
        });
        let passport = input.materials.iter().position(|m| m.kind.as_deref() == Some("passport")).unwrap();
        input.materials[passport].facts =
            Some(MaterialFacts { expires_on: Some(d("2026-01-31")), ..MaterialFacts::stored("application/pdf") });

        let notice = one_time_notice(&input, &rules, d(TODAY)).unwrap_err();
        let got: Vec<(&str, &str)> = notice.items.iter().map(|i| (i.field.as_str(), i.code.as_str())).collect();
        assert_eq!(
            got,
            [
                ("applicant.nationality", "nationality_unknown"),
                ("position.start_date", "invalid_date"),
                ("profile.chinese", "unknown_value"),
                ("employer.credit_code", "employer_dishonest"),
                ("position.annual_salary_cny", "salary_below_minimum_wage"),
                ("applicant.birth_date", "applicant_under_18"),
                ("materials.criminal_record_certificate", "material_missing"),
                ("materials[0]", "content_type_mismatch"),
                (format!("materials[{passport}]").as_str(), "passport_expired"),
                ("materials.photo", "material_missing"),
            ]
        );
        for item in &notice.items {
            assert!(!item.message_en.is_empty(), "{item:?}");
            assert!(item.message_zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "no Chinese in {item:?}");
        }
        assert_eq!(notice.items[6].message_zh, "缺少材料“无犯罪记录证明”");
        assert_eq!(
            notice.items[9].message_en,
            "the material Front-facing bareheaded photo taken within 6 months (photo) is missing"
        );

        // Into Violations for the 422 / gRPC layers: English message, Chinese alongside.
        let violations: Violations = notice.clone().into();
        assert_eq!(violations.len(), notice.items.len());
        assert_eq!(violations.0[0].message, notice.items[0].message_en);
        assert_eq!(violations.0[0].message_zh.as_deref(), Some(notice.items[0].message_zh.as_str()));
        let json = serde_json::to_value(&violations.0[3]).unwrap();
        assert_eq!(json["field"], "employer.credit_code");
        assert_eq!(json["message_zh"], "用人单位被列入严重失信主体名单");
    }

    #[test]
    fn an_unparseable_submission_still_gets_its_material_list() {
        let input = SubmissionInput::default();
        let notice = one_time_notice(&input, &Rules::gansu(), d(TODAY)).unwrap_err();
        let missing = notice.items.iter().filter(|i| i.code == codes::MATERIAL_MISSING).count();
        assert_eq!(missing, ONLINE_FOR_WP_RP.len(), "work permit and residence permit are always in the bundle");
        assert!(
            notice
                .items
                .iter()
                .any(|i| i.field == "employer.credit_code" && i.message_zh == "统一社会信用代码为必填项")
        );
    }

    #[test]
    fn public_institutions_also_need_the_enrolment_form() {
        let mut input = good();
        input.employer.kind = Some("public_institution".into());
        input.items.push("social_insurance".into());
        let notice = one_time_notice(&input, &Rules::gansu(), d(TODAY)).unwrap_err();
        let got: Vec<&str> = notice.items.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(got, ["materials.public_institution_enrollment_form"]);
    }

    #[test]
    fn category_a_may_be_accepted_with_missing_materials_when_enabled() {
        let mut input = good();
        input.profile.direct_qualification = Some("talent_program".into());
        input.materials.retain(|m| m.kind.as_deref() != Some("work_experience_proof"));
        let mut rules = Rules::gansu();
        assert!(one_time_notice(&input, &rules, d(TODAY)).is_err());
        rules.accept_a_with_missing_materials = true;
        let accepted = one_time_notice(&input, &rules, d(TODAY)).unwrap();
        assert_eq!(accepted.category, Category::A);
        assert_eq!(accepted.to_supplement, [MaterialKind::WorkExperienceProof]);
    }

    #[test]
    fn a_reviewer_supplement_request_is_a_notice() {
        let n =
            Notice::supplement(&[MaterialKind::CriminalRecordCertificate, MaterialKind::Photo], "the scan is cut off");
        assert_eq!(n.items.len(), 2);
        assert_eq!(n.items[0].field, "materials.criminal_record_certificate");
        assert_eq!(n.items[0].code, SUPPLEMENT_REQUESTED);
        assert_eq!(n.items[0].message_zh, "请补正材料“无犯罪记录证明”：the scan is cut off");
        assert!(n.items[1].message_en.ends_with(": the scan is cut off"));
        let plain = Notice::supplement(&[MaterialKind::Photo], " ");
        assert!(!plain.items[0].message_en.contains(':'));
    }

    #[test]
    fn every_known_code_has_its_own_chinese_message() {
        for code in [
            "required",
            "invalid_date",
            "too_long",
            "invalid_region_code",
            "unknown_value",
            "invalid_type",
            "negative",
            "not_an_integer",
            "out_of_range",
            "not_positive",
            "credit_code_length",
            "credit_code_character",
            "credit_code_check",
            "passport_number_length",
            "passport_number_character",
            "nationality_unknown",
            "birth_date_after_as_of",
            intake::NATIONALITY_CHINESE,
            intake::BIRTH_DATE_TOO_EARLY,
            intake::SALARY_ABOVE_BOUND,
            intake::INVALID_CHARACTERS,
            codes::REGION_UNKNOWN,
            codes::START_DATE_IN_PAST,
            codes::EMPLOYER_DISHONEST,
            codes::REGION_OUTSIDE_PROVINCE,
            codes::SALARY_BELOW_MINIMUM_WAGE,
            codes::SECTOR_PREAPPROVAL_MISSING,
            codes::APPLICANT_UNDER_18,
            codes::PASSPORT_EXPIRED,
            codes::PASSPORT_VALIDITY_TOO_SHORT,
            codes::MATERIAL_MISSING,
        ] {
            assert!(!zh_message("x", code).contains(code), "{code}");
        }
        assert_eq!(field_zh("materials.photo"), "材料“6个月内正面免冠照片”");
    }
}
