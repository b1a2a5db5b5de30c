//! Rules of the work-type residence permit (FACTS §5.2), pure and tested here: the
//! application deadline after entry, the decision deadline and the receipt (受理回执), the
//! paper materials at the counter, the permit's validity and number, and the reading of
//! every command with all of its violations at once.
//!
//! Messages never repeat personal data (a proxy's identity, a mail address).

use std::collections::BTreeSet;

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use domain::calendar::{Calendar, Deadline};
use domain::case::{EmployerKind, Item};
use domain::materials::{Catalog, Form, MaterialKind};
use domain::states::residence::{PickupMethod, VerificationOutcome};
use domain::{Violation, Violations};
use serde::{Deserialize, Serialize};

/// The foreigner applies within 30 days of entry (Exit and Entry Administration Law Art. 30).
pub const APPLY_WITHIN_DAYS: u64 = 30;
/// A work-type residence permit is valid for at least 90 days (Art. 30) ...
pub const MIN_VALIDITY_DAYS: i64 = 90;
/// ... and at most 5 years.
pub const MAX_VALIDITY_MONTHS: u32 = 60;

/// Refusal after a verification the applicant missed without a justified reason.
pub const REASON_NO_SHOW: &str = "verification_no_show";
/// Refusal because the work permit leaves less than the 90-day minimum.
pub const REASON_SHORT_WORK_PERMIT: &str = "work_permit_validity_too_short";

/// The known refusal codes with their written text (English, Chinese); other reasons are
/// free text.
pub fn reason_text(code: &str) -> Option<(&'static str, &'static str)> {
    match code {
        REASON_NO_SHOW => Some((
            "the applicant did not attend the verification and gave no justified reason",
            "申请人无正当理由未接受查验",
        )),
        REASON_SHORT_WORK_PERMIT => Some((
            "the work permit leaves less than the 90-day minimum validity of a work-type residence permit",
            "工作许可剩余有效期不足工作类居留证件最短有效期90日",
        )),
        _ => None,
    }
}

/// How the decision period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Working days of the official calendar (the regulation; the default).
    WorkingDays,
    /// Calendar days (the statute's "十五日").
    Days,
}

impl DayCount {
    pub fn as_str(self) -> &'static str {
        match self {
            DayCount::WorkingDays => "working_days",
            DayCount::Days => "days",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionPeriod {
    pub days: u32,
    pub counted_in: DayCount,
}

/// The last day to apply at the counter: entry + 30 days (the entry day not counted).
pub fn apply_by(entry: NaiveDate) -> NaiveDate {
    entry.checked_add_days(Days::new(APPLY_WITHIN_DAYS)).unwrap_or(NaiveDate::MAX)
}

/// The decision deadline for materials received on `received_on` (that day not counted).
pub fn decision_due(received_on: NaiveDate, period: DecisionPeriod, calendar: &Calendar) -> Deadline {
    match period.counted_in {
        DayCount::WorkingDays => calendar.add_working_days(received_on, period.days),
        DayCount::Days => Deadline {
            date: received_on.checked_add_days(Days::new(period.days.into())).unwrap_or(NaiveDate::MAX),
            estimated: false,
        },
    }
}

/// The receipt's number: `62SL` (Gansu, 受理) + the day + a serial of that day.
/// The national layout is not public; this stays replaceable behind this function.
pub fn receipt_number(received_on: NaiveDate, serial: i64) -> String {
    format!("62SL{}{serial:05}", received_on.format("%Y%m%d"))
}

/// The residence permit's number in this project: `62R` + year + 8-digit serial.
/// The national layout is not public; this stays replaceable behind this function.
pub fn residence_permit_number(year: i32, serial: i64) -> String {
    format!("62R{year}{serial:08}")
}

/// The validity of a residence permit issued on `issued_on`: from that day (or the work
/// permit's first day, if later) to the earlier
/// of the work permit's last day (a work-type residence permit needs a work permit,
/// regulation Art. 16) and 5 years. `Err(days)` when that leaves fewer than the 90 days
/// the law requires: the permit cannot be issued until the work permit is extended.
pub fn validity(
    issued_on: NaiveDate,
    work_permit_valid_from: Option<NaiveDate>,
    work_permit_valid_until: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), i64> {
    // Issued before the work permit starts (approved ahead of the start date), the
    // residence permit starts with it: a work-type residence permit without work is none.
    let from = work_permit_valid_from.map_or(issued_on, |f| f.max(issued_on));
    let cap =
        from.checked_add_months(Months::new(MAX_VALIDITY_MONTHS)).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX);
    let until = cap.min(work_permit_valid_until);
    let days = (until - from).num_days() + 1;
    if days < MIN_VALIDITY_DAYS { Err(days.max(0)) } else { Ok((from, until)) }
}

fn required(v: &mut Violations, field: &str, value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        v.push(field, "required", format!("{field} is required"));
        None
    } else {
        Some(value.to_string())
    }
}

fn too_long(v: &mut Violations, field: &str, value: &str, max: usize) -> bool {
    if value.chars().count() > max {
        v.push(field, "too_long", format!("{field} has at most {max} characters"));
        true
    } else {
        false
    }
}

/// The entry date: a date that is not in the future.
pub fn parse_entry_date(entry_date: &str, today: NaiveDate) -> Result<NaiveDate, Violations> {
    let mut v = Violations::new();
    if let Some(s) = required(&mut v, "entry_date", entry_date) {
        match s.parse::<NaiveDate>() {
            Err(_) => v.push("entry_date", "invalid_date", "entry_date must be a date YYYY-MM-DD"),
            Ok(d) if d > today => v.push("entry_date", "in_future", "entry_date cannot be in the future"),
            Ok(d) => return Ok(d),
        }
    }
    Err(v)
}

/// Checks the paper materials handed over at the counter against the catalog: every
/// missing one is listed (field `paper_materials.<kind>`, code `material_missing`), as is
/// every entry that is not a residence paper material or not needed. Returns the distinct
/// kinds received.
pub fn check_paper_materials(
    given: &[String],
    passport_lost: bool,
    employer: EmployerKind,
) -> Result<Vec<MaterialKind>, Violations> {
    let catalog = Catalog::embedded();
    let needed = catalog.requirements(&[Item::ResidencePermit], employer, passport_lost).paper;
    let mut v = Violations::new();
    let mut received = BTreeSet::new();
    for (i, code) in given.iter().enumerate() {
        let field = format!("paper_materials[{i}]");
        let Ok(kind) = code.trim().parse::<MaterialKind>() else {
            v.push(field, "unknown_value", "not a material kind of API.md");
            continue;
        };
        let info = catalog.info(kind);
        if info.form != Form::Paper || !info.items.contains(&Item::ResidencePermit) {
            v.push(field, "not_a_paper_material", format!("{kind} is not handed over on paper at this counter"));
        } else if !needed.contains(&kind) {
            v.push(field, "not_required", format!("{kind} is needed only when the passport was lost"));
        } else {
            received.insert(kind);
        }
    }
    for kind in needed.iter().filter(|k| !received.contains(k)) {
        let info = catalog.info(*kind);
        v.0.push(
            Violation::new(
                format!("paper_materials.{kind}"),
                "material_missing",
                format!("the paper material {} ({kind}) is missing", info.name_en),
            )
            .with_zh(format!("缺少纸质材料：{}", info.name_zh)),
        );
    }
    v.into_result(|| received.into_iter().collect())
}

/// How the applicant is verified (the domain's vocabulary, wire names included).
pub use domain::states::residence::VerificationMethod as Method;

/// A verification to schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub method: Method,
    pub at: DateTime<Utc>,
    pub place: String,
}

/// The day (China Standard Time) of an instant.
pub fn day_cst(at: DateTime<Utc>) -> NaiveDate {
    (at + chrono::Duration::hours(8)).date_naive()
}

/// The Beijing time of `at` as an officer reads it, `2026-12-04 10:00`.
pub fn beijing_time(at: DateTime<Utc>) -> String {
    (at + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

/// The earliest moment the outcome of a verification scheduled at `scheduled` may be
/// recorded: attendance from the scheduled time on, a no-show only once `grace` after it
/// has passed (an applicant may be late; recording one earlier would refuse a case for an
/// appointment that has not happened).
pub fn outcome_recordable_from(outcome: Outcome, scheduled: DateTime<Utc>, grace: chrono::Duration) -> DateTime<Utc> {
    match outcome {
        Outcome::Attended => scheduled,
        Outcome::NoShow { .. } => scheduled + grace,
    }
}

/// A verification falls between the application day and the decision deadline, so that
/// the decision can still be made in time.
pub fn parse_plan(
    method: &str,
    scheduled_at: &str,
    place: &str,
    applied_on: NaiveDate,
    decision_due: NaiveDate,
) -> Result<Plan, Violations> {
    let mut v = Violations::new();
    let m = required(&mut v, "method", method).and_then(|m| {
        let parsed = m.parse::<Method>().ok();
        if parsed.is_none() {
            v.push("method", "unknown_value", "method must be one of interview, phone, site_visit");
        }
        parsed
    });
    let at = required(&mut v, "scheduled_at", scheduled_at).and_then(|s| match DateTime::parse_from_rfc3339(&s) {
        Err(_) => {
            v.push("scheduled_at", "invalid_timestamp", "scheduled_at must be an RFC 3339 timestamp");
            None
        }
        Ok(t) => {
            let t = t.with_timezone(&Utc);
            if day_cst(t) < applied_on {
                v.push(
                    "scheduled_at",
                    "before_application",
                    format!("scheduled_at is before the application on {applied_on}"),
                );
                None
            } else if day_cst(t) > decision_due {
                v.push(
                    "scheduled_at",
                    "after_decision_deadline",
                    format!("scheduled_at is after the decision deadline {decision_due}"),
                );
                None
            } else {
                Some(t)
            }
        }
    });
    let place = place.trim().to_string();
    // A phone check happens nowhere in particular; an interview or a site visit needs a place.
    if place.is_empty() && matches!(m, Some(Method::Interview | Method::SiteVisit)) {
        v.push("place", "required", "place is required for an interview or a site visit");
    }
    too_long(&mut v, "place", &place, 200);
    match (m, at) {
        (Some(method), Some(at)) if v.is_empty() => Ok(Plan { method, at, place }),
        _ => Err(v),
    }
}

/// What happened at a verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Attended,
    NoShow { justified: bool },
}

impl Outcome {
    pub fn kind(self) -> VerificationOutcome {
        match self {
            Outcome::Attended => VerificationOutcome::Attended,
            Outcome::NoShow { .. } => VerificationOutcome::NoShow,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.kind().as_str()
    }
}

pub fn parse_outcome(outcome: &str, justified: bool, note: &str) -> Result<Outcome, Violations> {
    let mut v = Violations::new();
    let o = required(&mut v, "outcome", outcome).and_then(|o| match o.parse::<VerificationOutcome>().ok() {
        Some(VerificationOutcome::Attended) => {
            if justified {
                v.push("justified", "not_allowed", "justified applies to a no-show only");
            }
            Some(Outcome::Attended)
        }
        Some(VerificationOutcome::NoShow) => Some(Outcome::NoShow { justified }),
        None => {
            v.push("outcome", "unknown_value", "outcome must be attended or no_show");
            None
        }
    });
    too_long(&mut v, "note", note, 1000);
    match o {
        Some(o) if v.is_empty() => Ok(o),
        _ => Err(v),
    }
}

/// An officer's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Refuse { reasons: Vec<String> },
}

/// An officer's resolution of a residence permit up for revocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Revoked: `last_day` is its new last day of validity.
    Revoke { last_day: NaiveDate, reason: String },
    /// Kept (e.g. the foreigner holds a new employer's work permit).
    Keep { reason: String },
}

impl Resolution {
    pub fn as_str(&self) -> &'static str {
        match self {
            Resolution::Revoke { .. } => "revoke",
            Resolution::Keep { .. } => "keep",
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            Resolution::Revoke { reason, .. } | Resolution::Keep { reason } => reason,
        }
    }
}

/// Reads a resolution with every problem at once. A revocation takes effect from
/// `earliest` on (today: a permit cannot be revoked in the past, the foreigner relied on
/// it; or the permit's first day when it starts later, so that its last day is never
/// before its first), and no later than the permit's own end; empty `effective_on` means
/// `earliest`.
pub fn parse_resolution(
    decision: &str,
    reason: &str,
    effective_on: &str,
    earliest: NaiveDate,
    valid_until: NaiveDate,
) -> Result<Resolution, Violations> {
    let today = earliest;
    let mut v = Violations::new();
    let reason = required(&mut v, "reason", reason).filter(|r| !too_long(&mut v, "reason", r, 500));
    let effective_on = effective_on.trim();
    let keep = decision.trim() == "keep";
    let day = match effective_on {
        "" => Some(today),
        // Said once below: a kept permit has no end to set.
        _ if keep => None,
        s => match s.parse::<NaiveDate>() {
            Err(_) => {
                v.push("effective_on", "invalid_date", "effective_on must be a date (YYYY-MM-DD)");
                None
            }
            Ok(d) if d < today => {
                v.push(
                    "effective_on",
                    "before_today",
                    format!("effective_on cannot be before {today} (today, or the residence permit's first day)"),
                );
                None
            }
            Ok(d) if d > valid_until => {
                v.push(
                    "effective_on",
                    "after_validity",
                    format!("effective_on cannot be after the residence permit's end ({valid_until})"),
                );
                None
            }
            Ok(d) => Some(d),
        },
    };
    let resolution = match decision.trim() {
        "revoke" => day.zip(reason).map(|(last_day, reason)| Resolution::Revoke { last_day, reason }),
        "keep" => {
            if !effective_on.is_empty() {
                v.push("effective_on", "not_allowed", "effective_on is for a revocation only");
            }
            reason.map(|reason| Resolution::Keep { reason })
        }
        "" => {
            v.push("decision", "required", "decision is required: revoke or keep");
            None
        }
        _ => {
            v.push("decision", "unknown_value", "decision must be revoke or keep");
            None
        }
    };
    match resolution {
        Some(r) if v.is_empty() => Ok(r),
        _ => Err(v),
    }
}

pub fn parse_decision(decision: &str, reasons: &[String]) -> Result<Decision, Violations> {
    let mut v = Violations::new();
    let reasons: Vec<String> = reasons.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
    for (i, r) in reasons.iter().enumerate() {
        too_long(&mut v, &format!("reasons[{i}]"), r, 500);
    }
    if reasons.len() > 20 {
        v.push("reasons", "too_many", "at most 20 reasons");
    }
    let d = match decision.trim() {
        "approve" => Some(Decision::Approve),
        "refuse" if reasons.is_empty() => {
            v.push("reasons", "required", "a refusal states its reasons in writing");
            None
        }
        "refuse" => Some(Decision::Refuse { reasons }),
        "" => {
            v.push("decision", "required", "decision is required: approve or refuse");
            None
        }
        _ => {
            v.push("decision", "unknown_value", "decision must be approve or refuse");
            None
        }
    };
    match d {
        Some(d) if v.is_empty() => Ok(d),
        _ => Err(v),
    }
}

/// The facts a known refusal code rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Grounds {
    /// The last verification ended in a no-show without a justified reason.
    pub unjustified_no_show: bool,
    /// The work permit leaves less than the minimum validity.
    pub work_permit_too_short: bool,
}

/// A known code may be given only when its facts hold.
pub fn check_reasons(reasons: &[String], grounds: Grounds) -> Result<(), Violations> {
    let mut v = Violations::new();
    for (i, r) in reasons.iter().enumerate() {
        let holds = match r.as_str() {
            REASON_NO_SHOW => grounds.unjustified_no_show,
            REASON_SHORT_WORK_PERMIT => grounds.work_permit_too_short,
            _ => true,
        };
        if !holds {
            v.push(format!("reasons[{i}]"), "not_applicable", format!("{r} does not apply to this case"));
        }
    }
    v.into_result(|| ())
}

/// How the permit leaves the counter.
#[derive(Clone, PartialEq, Eq)]
pub enum PickupWay {
    InPerson,
    /// Personal data of the proxy: never logged.
    Proxy {
        name: String,
        id_number: String,
    },
    Mail {
        address: String,
        tracking_number: String,
    },
}

impl std::fmt::Debug for PickupWay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The proxy's identity and the address stay out of debug output (logs, panics).
        f.write_str(self.method())
    }
}

impl PickupWay {
    pub fn kind(&self) -> PickupMethod {
        match self {
            PickupWay::InPerson => PickupMethod::InPerson,
            PickupWay::Proxy { .. } => PickupMethod::Proxy,
            PickupWay::Mail { .. } => PickupMethod::Mail,
        }
    }

    pub fn method(&self) -> &'static str {
        self.kind().as_str()
    }
}

fn identifier(v: &mut Violations, field: &str, value: &str, min: usize, max: usize) -> Option<String> {
    let s = required(v, field, value)?;
    let ok = (min..=max).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Some(s)
    } else {
        v.push(field, "invalid_format", format!("{field} must be {min} to {max} letters, digits or hyphens"));
        None
    }
}

pub fn parse_pickup(
    method: &str,
    proxy_name: &str,
    proxy_id_number: &str,
    mail_address: &str,
    mail_tracking_number: &str,
) -> Result<PickupWay, Violations> {
    let mut v = Violations::new();
    let method = method.trim();
    let kind = method.parse::<PickupMethod>().ok();
    let proxy_given = !(proxy_name.trim().is_empty() && proxy_id_number.trim().is_empty());
    let mail_given = !(mail_address.trim().is_empty() && mail_tracking_number.trim().is_empty());
    if proxy_given && kind != Some(PickupMethod::Proxy) {
        v.push("proxy", "not_allowed", "proxy is given only for a pickup by proxy");
    }
    if mail_given && kind != Some(PickupMethod::Mail) {
        v.push("mail", "not_allowed", "mail is given only for a pickup by mail");
    }
    let way = match kind {
        Some(PickupMethod::InPerson) => Some(PickupWay::InPerson),
        Some(PickupMethod::Proxy) => {
            let name = required(&mut v, "proxy.name", proxy_name).filter(|n| !too_long(&mut v, "proxy.name", n, 100));
            let id_number = identifier(&mut v, "proxy.id_number", proxy_id_number, 4, 40);
            name.zip(id_number).map(|(name, id_number)| PickupWay::Proxy { name, id_number })
        }
        Some(PickupMethod::Mail) => {
            let address =
                required(&mut v, "mail.address", mail_address).filter(|a| !too_long(&mut v, "mail.address", a, 300));
            let tracking_number = identifier(&mut v, "mail.tracking_number", mail_tracking_number, 6, 40);
            address.zip(tracking_number).map(|(address, tracking_number)| PickupWay::Mail { address, tracking_number })
        }
        None if method.is_empty() => {
            v.push("method", "required", "method is required: in_person, proxy or mail");
            None
        }
        None => {
            v.push("method", "unknown_value", "method must be one of in_person, proxy, mail");
            None
        }
    };
    match way {
        Some(w) if v.is_empty() => Ok(w),
        _ => Err(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn codes(v: &Violations) -> Vec<(&str, &str)> {
        v.0.iter().map(|x| (x.field.as_str(), x.code.as_str())).collect()
    }

    #[test]
    fn the_application_is_due_30_days_after_entry() {
        assert_eq!(apply_by(d("2026-11-29")), d("2026-12-29"));
        assert_eq!(apply_by(d("2027-02-01")), d("2027-03-03"));
        assert_eq!(apply_by(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn the_entry_date_is_a_past_or_present_date() {
        let today = d("2026-11-29");
        assert_eq!(parse_entry_date("2026-11-20", today).unwrap(), d("2026-11-20"));
        assert_eq!(parse_entry_date(" 2026-11-29 ", today).unwrap(), today);
        assert_eq!(codes(&parse_entry_date("2026-11-30", today).unwrap_err()), [("entry_date", "in_future")]);
        assert_eq!(codes(&parse_entry_date("29/11/2026", today).unwrap_err()), [("entry_date", "invalid_date")]);
        assert_eq!(codes(&parse_entry_date("", today).unwrap_err()), [("entry_date", "required")]);
    }

    #[test]
    fn the_decision_deadline_counts_working_days_by_default_or_days_when_configured() {
        let cal = Calendar::embedded();
        let working = DecisionPeriod { days: 15, counted_in: DayCount::WorkingDays };
        // Received Tue 2026-12-01: 15 working days → Tue 2026-12-22.
        assert_eq!(decision_due(d("2026-12-01"), working, &cal), Deadline { date: d("2026-12-22"), estimated: false });
        // Across National Day 2025: Tue 09-30 + 15 working days (10-01..08 off, Sat 10-11 works) → 10-28.
        assert_eq!(decision_due(d("2025-09-30"), working, &cal).date, d("2025-10-28"));
        // Into 2027, which has no holiday data yet: estimated.
        assert!(decision_due(d("2026-12-20"), working, &cal).estimated);
        let days = DecisionPeriod { days: 15, counted_in: DayCount::Days };
        assert_eq!(decision_due(d("2026-12-01"), days, &cal), Deadline { date: d("2026-12-16"), estimated: false });
        assert_eq!(decision_due(d("2025-09-30"), days, &cal).date, d("2025-10-15"));
    }

    #[test]
    fn receipts_and_permits_have_numbers_by_day_and_year() {
        assert_eq!(receipt_number(d("2026-11-29"), 7), "62SL2026112900007");
        assert_eq!(residence_permit_number(2026, 42), "62R202600000042");
    }

    #[test]
    fn validity_runs_to_the_work_permit_capped_at_five_years_and_never_under_90_days() {
        let issued = d("2026-11-29");
        // The work permit's end is the usual cap.
        assert_eq!(validity(issued, None, d("2029-01-03")), Ok((issued, d("2029-01-03"))));
        // A longer work permit: five years at most.
        assert_eq!(validity(issued, None, d("2033-01-01")), Ok((issued, d("2031-11-28"))));
        // Exactly 90 days (both ends counted) is enough; 89 is not.
        assert_eq!(validity(issued, None, d("2027-02-26")), Ok((issued, d("2027-02-26"))));
        assert_eq!(validity(issued, None, d("2027-02-25")), Err(89));
        // A work permit already expired leaves nothing.
        assert_eq!(validity(issued, None, d("2026-01-01")), Err(0));
        // Leap day: five years from 2028-02-29 end on 2033-02-27.
        assert_eq!(validity(d("2028-02-29"), None, d("2040-01-01")).unwrap().1, d("2033-02-27"));
        // Issued before the work permit starts: it starts with the work permit, never earlier,
        // and its five years count from there.
        let starts = d("2027-02-01");
        assert_eq!(validity(issued, Some(starts), d("2029-01-31")), Ok((starts, d("2029-01-31"))));
        assert_eq!(validity(issued, Some(starts), d("2040-01-01")), Ok((starts, d("2032-01-31"))));
        // A work permit that started earlier changes nothing.
        assert_eq!(validity(issued, Some(d("2026-01-01")), d("2029-01-03")), Ok((issued, d("2029-01-03"))));
        // 90 days are counted from the start too.
        assert_eq!(validity(issued, Some(starts), d("2027-04-30")), Err(89));
    }

    #[test]
    fn every_missing_paper_material_is_listed_at_once() {
        let err = check_paper_materials(&[], false, EmployerKind::Enterprise).unwrap_err();
        assert_eq!(
            codes(&err),
            [
                ("paper_materials.visa_application_form", "material_missing"),
                ("paper_materials.entry_exit_photo", "material_missing"),
                ("paper_materials.employer_certification_letter", "material_missing"),
            ]
        );
        assert!(err.0.iter().all(|v| v.message_zh.as_deref().is_some_and(|m| m.starts_with("缺少纸质材料"))));
        // A lost passport adds the loss certificate.
        let given: Vec<String> =
            ["visa_application_form", "entry_exit_photo", "employer_certification_letter"].map(String::from).into();
        let err = check_paper_materials(&given, true, EmployerKind::Enterprise).unwrap_err();
        assert_eq!(codes(&err), [("paper_materials.passport_loss_certificate", "material_missing")]);
        assert_eq!(check_paper_materials(&given, false, EmployerKind::PublicInstitution).unwrap().len(), 3);
    }

    #[test]
    fn wrong_paper_materials_are_named_beside_the_missing_ones() {
        let given: Vec<String> =
            ["visa_application_form", "visa_application_form", "passport", "passport_loss_certificate", "x"]
                .map(String::from)
                .into();
        let err = check_paper_materials(&given, false, EmployerKind::Enterprise).unwrap_err();
        assert_eq!(
            codes(&err),
            [
                ("paper_materials[2]", "not_a_paper_material"),
                ("paper_materials[3]", "not_required"),
                ("paper_materials[4]", "unknown_value"),
                ("paper_materials.entry_exit_photo", "material_missing"),
                ("paper_materials.employer_certification_letter", "material_missing"),
            ]
        );
        let all: Vec<String> =
            ["visa_application_form", "entry_exit_photo", "employer_certification_letter", "passport_loss_certificate"]
                .map(String::from)
                .into();
        assert_eq!(check_paper_materials(&all, true, EmployerKind::Enterprise).unwrap().len(), 4);
    }

    #[test]
    fn a_verification_is_planned_between_the_application_and_the_deadline() {
        let (applied, due) = (d("2026-11-30"), d("2026-12-21"));
        let p = parse_plan("interview", "2026-12-02T02:00:00Z", " Lanzhou exit-entry hall ", applied, due).unwrap();
        assert_eq!((p.method, p.place.as_str()), (Method::Interview, "Lanzhou exit-entry hall"));
        assert!(parse_plan("phone", "2026-12-02T10:00:00+08:00", "", applied, due).is_ok());
        // 2026-11-29T20:00Z is already 2026-11-30 in China.
        assert!(parse_plan("phone", "2026-11-29T20:00:00Z", "", applied, due).is_ok());
        let err = parse_plan("site_visit", "2026-11-29T10:00:00+08:00", "", applied, due).unwrap_err();
        assert_eq!(codes(&err), [("scheduled_at", "before_application"), ("place", "required")]);
        let err = parse_plan("video", "2026-12-22T10:00:00+08:00", "", applied, due).unwrap_err();
        assert_eq!(codes(&err), [("method", "unknown_value"), ("scheduled_at", "after_decision_deadline")]);
        let err = parse_plan("", "tomorrow", &"x".repeat(201), applied, due).unwrap_err();
        assert_eq!(codes(&err), [("method", "required"), ("scheduled_at", "invalid_timestamp"), ("place", "too_long")]);
    }

    #[test]
    fn attendance_is_recorded_from_the_appointment_and_a_no_show_only_after_its_grace() {
        let at = DateTime::parse_from_rfc3339("2026-12-08T10:00:00+08:00").unwrap().with_timezone(&Utc);
        let grace = chrono::Duration::minutes(30);
        assert_eq!(outcome_recordable_from(Outcome::Attended, at, grace), at);
        for justified in [false, true] {
            let from = outcome_recordable_from(Outcome::NoShow { justified }, at, grace);
            assert_eq!(beijing_time(from), "2026-12-08 10:30");
        }
        assert_eq!(outcome_recordable_from(Outcome::NoShow { justified: false }, at, chrono::Duration::zero()), at);
        assert_eq!(beijing_time(at), "2026-12-08 10:00");
    }

    #[test]
    fn a_revocation_takes_effect_from_today_to_the_permits_end_and_says_why() {
        let (today, until) = (d("2026-12-04"), d("2028-06-30"));
        assert_eq!(
            parse_resolution("revoke", " work permit cancelled ", "", today, until).unwrap(),
            Resolution::Revoke { last_day: today, reason: "work permit cancelled".into() }
        );
        assert_eq!(
            parse_resolution("revoke", "contract ended", "2026-12-31", today, until).unwrap(),
            Resolution::Revoke { last_day: d("2026-12-31"), reason: "contract ended".into() }
        );
        assert_eq!(
            parse_resolution("keep", "new employer's work permit 62SL…", "", today, until).unwrap().as_str(),
            "keep"
        );
        assert_eq!(
            codes(&parse_resolution("revoke", "", "2026-12-03", today, until).unwrap_err()),
            [("reason", "required"), ("effective_on", "before_today")]
        );
        assert_eq!(
            codes(&parse_resolution("revoke", "x", "2028-07-01", today, until).unwrap_err()),
            [("effective_on", "after_validity")]
        );
        assert_eq!(
            codes(&parse_resolution("keep", &"x".repeat(501), "2028-07-01", today, until).unwrap_err()),
            [("reason", "too_long"), ("effective_on", "not_allowed")]
        );
        assert_eq!(
            codes(&parse_resolution("suspend", "x", "soon", today, until).unwrap_err()),
            [("effective_on", "invalid_date"), ("decision", "unknown_value")]
        );
    }

    #[test]
    fn outcomes_and_decisions_are_read_with_every_problem() {
        assert_eq!(parse_outcome("attended", false, "").unwrap(), Outcome::Attended);
        assert_eq!(parse_outcome("no_show", true, "ill").unwrap(), Outcome::NoShow { justified: true });
        assert_eq!(codes(&parse_outcome("attended", true, "").unwrap_err()), [("justified", "not_allowed")]);
        assert_eq!(
            codes(&parse_outcome("late", false, &"x".repeat(1001)).unwrap_err()),
            [("outcome", "unknown_value"), ("note", "too_long")]
        );
        assert_eq!(parse_decision("approve", &[]).unwrap(), Decision::Approve);
        assert_eq!(
            parse_decision("refuse", &[" fake letter ".into()]).unwrap(),
            Decision::Refuse { reasons: vec!["fake letter".into()] }
        );
        assert_eq!(codes(&parse_decision("refuse", &[" ".into()]).unwrap_err()), [("reasons", "required")]);
        assert_eq!(codes(&parse_decision("", &[]).unwrap_err()), [("decision", "required")]);
        assert_eq!(codes(&parse_decision("maybe", &[]).unwrap_err()), [("decision", "unknown_value")]);
    }

    #[test]
    fn known_refusal_codes_need_their_facts() {
        let no_show = vec![REASON_NO_SHOW.to_string(), "free text".to_string()];
        assert!(check_reasons(&no_show, Grounds { unjustified_no_show: true, ..Default::default() }).is_ok());
        assert_eq!(
            codes(&check_reasons(&no_show, Grounds::default()).unwrap_err()),
            [("reasons[0]", "not_applicable")]
        );
        let short = vec![REASON_SHORT_WORK_PERMIT.to_string()];
        assert!(check_reasons(&short, Grounds { work_permit_too_short: true, ..Default::default() }).is_ok());
        assert!(check_reasons(&short, Grounds::default()).is_err());
        assert!(reason_text(REASON_NO_SHOW).is_some() && reason_text("free text").is_none());
    }

    #[test]
    fn pickup_ways_need_their_details_and_hide_them_from_debug_output() {
        assert_eq!(parse_pickup("in_person", "", "", "", "").unwrap(), PickupWay::InPerson);
        let proxy = parse_pickup("proxy", "LI Lei", "620102199001011234", "", "").unwrap();
        assert_eq!(format!("{proxy:?}"), "proxy");
        let mail = parse_pickup("mail", "", "", "1 Donggang Rd, Lanzhou", "SF1234567890").unwrap();
        assert_eq!(mail.method(), "mail");
        assert_eq!(
            codes(&parse_pickup("proxy", "", "12", "", "").unwrap_err()),
            [("proxy.name", "required"), ("proxy.id_number", "invalid_format")]
        );
        assert_eq!(
            codes(&parse_pickup("mail", "", "", "", "").unwrap_err()),
            [("mail.address", "required"), ("mail.tracking_number", "required")]
        );
        assert_eq!(
            codes(&parse_pickup("in_person", "LI Lei", "", "", "SF1").unwrap_err()),
            [("proxy", "not_allowed"), ("mail", "not_allowed")]
        );
        assert_eq!(codes(&parse_pickup("drone", "", "", "", "").unwrap_err()), [("method", "unknown_value")]);
        // Messages never repeat the personal data they check.
        let err = parse_pickup("proxy", "x".repeat(101).as_str(), "ID 620102", "", "").unwrap_err();
        assert!(err.0.iter().all(|v| !v.message.contains("620102") && !v.message.contains("xxx")));
    }
}
