//! The message catalog `web/catalog/codes.json` checked against the code: every code a
//! person can see has a Chinese and an English text, and the catalog holds no code the
//! system no longer produces. Tests only (`#![cfg(test)]`).
//!
//! The catalog is one flat object, `"<namespace>.<code>": {"zh": "...", "en": "..."}`.
//! Three kinds of namespaces:
//!
//! - **enum-backed**: the wire names of the domain's [`wire_enum!`](crate::wire_enum)
//!   types (`ALL`, `as_str`): statuses, departments, roles, timeline events, materials,
//!   the form's coded values. Exactly those keys, no more, no fewer.
//! - **listed**: a few value sets the services spell as strings and no enum holds yet
//!   ([`LISTED`], each with where it comes from). Exactly those keys.
//! - **scanned**: `error.` and `note.`, whose codes are string literals spread over every
//!   crate. A unit test cannot call every rule, and a `pub const` per code would have to
//!   be threaded through about 200 call sites in six crates (and kept so by review), so
//!   the test reads the Rust sources of `crates/` and `services/` instead and collects the
//!   codes by the few shapes the code base writes them in (see [`scan`]). It fails on an
//!   argument it cannot read (neither a literal nor a `const`), so a new way of passing
//!   a code is noticed rather than silently missed. The state machines' refusal codes are
//!   not scanned but enumerated: every machine's `transition` over every state and command.
//!
//! `error.` keys are the violation codes of a 422's `errors[].code` (`required`,
//! `expired`) and the problem types of the other answers, by the last segment of `type`
//! (`not-found`, `concurrent-change`, and each service conflict's code with `_` written
//! `-`, as the gateway turns `not_in_review` into `.../problems/not-in-review`).

#![cfg(test)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::HasCode;
use crate::actor::Role;
use crate::case::{
    CaseStatus, Category, Department, EmployerKind, Insurance, Item, ItemStatus, MessageChannel, MessageKind, Sex,
    TimelineEvent,
};
use crate::classification::{BCondition, Chinese, DirectQualification, Education, Extra, Factor, Route, Vocational};
use crate::conditions::Condition;
use crate::materials::{Form, MaterialCondition, MaterialKind, Source};
use crate::province::ProvinceProfile;
use crate::sectors::Sector;
use crate::states::TransitionError;
use crate::states::card::{self, CardCommand, CardPermitStatus, CardState, CardStatus};
use crate::states::permit::{self, PermitCommand, PermitStatus};
use crate::states::residence::{
    self, PickupMethod, ResidenceCommand, ResidenceState, ResidenceStatus, VerificationMethod, VerificationOutcome,
};
use crate::states::title_review::{self, TitleReviewCommand, TitleReviewPublicStatus, TitleReviewStatus};

const CODES_JSON: &str = include_str!("../../../web/catalog/codes.json");

/// The wire names of wire enums, in one list.
macro_rules! wire_names {
    ($($t:ty),+ $(,)?) => {{
        let mut names: Vec<String> = Vec::new();
        $(names.extend(<$t>::ALL.iter().map(|v| v.as_str().to_string()));)+
        names
    }};
}

/// Every enum-backed namespace with its codes (and `region`, from the province's data).
fn enum_namespaces() -> Vec<(&'static str, Vec<String>)> {
    // The intake desk is no `Department` (it owns no item) but is named in the case view.
    let mut departments = wire_names!(Department);
    departments.push("service-center".into());
    // The province and its prefectures (GB/T 2260); county codes are shown as numbers.
    let gansu = ProvinceProfile::gansu();
    let regions = std::iter::once(gansu.code.clone()).chain(gansu.prefectures.value.iter().map(|p| p.code.clone()));
    vec![
        ("item", wire_names!(Item)),
        // Items and whole cases share the namespace: the same word means the same.
        ("status", wire_names!(ItemStatus, CaseStatus)),
        ("permit_status", wire_names!(PermitStatus)),
        // And the shown status of an issued permit up for revocation (states::residence).
        ("residence_status", {
            let mut shown = wire_names!(ResidenceStatus);
            shown.push(crate::states::residence::REVOCATION_PENDING.into());
            shown
        }),
        // Stored and public statuses (`ready` is `waiting` past `eligible_on`).
        ("title_status", wire_names!(TitleReviewStatus, TitleReviewPublicStatus)),
        ("card_status", wire_names!(CardStatus)),
        ("card_permit_status", wire_names!(CardPermitStatus)),
        ("department", departments),
        ("role", wire_names!(Role)),
        ("event", wire_names!(TimelineEvent)),
        ("material", wire_names!(MaterialKind)),
        ("material_source", wire_names!(Source)),
        ("material_form", wire_names!(Form)),
        ("material_condition", wire_names!(MaterialCondition)),
        ("condition", wire_names!(Condition)),
        ("category", wire_names!(Category)),
        ("factor", wire_names!(Factor)),
        ("route", wire_names!(Route)),
        ("b_condition", wire_names!(BCondition)),
        ("education", wire_names!(Education)),
        ("vocational", wire_names!(Vocational)),
        ("chinese", wire_names!(Chinese)),
        ("extra", wire_names!(Extra)),
        ("direct", wire_names!(DirectQualification)),
        ("employer_kind", wire_names!(EmployerKind)),
        ("sex", wire_names!(Sex)),
        ("insurance", wire_names!(Insurance)),
        ("message_kind", wire_names!(MessageKind)),
        ("channel", wire_names!(MessageChannel)),
        ("pickup", wire_names!(PickupMethod)),
        ("verification", wire_names!(VerificationMethod)),
        ("outcome", wire_names!(VerificationOutcome)),
        ("region", regions.collect()),
        ("sector", wire_names!(Sector)),
    ]
}

/// Value sets that no enum holds yet: the services match these strings themselves. When
/// one becomes a wire enum, move it to [`enum_namespaces`].
const LISTED: &[(&str, &[&str])] = &[
    // `decision` of the work permit (gateway routes/work_permits.rs: approve, refuse,
    // supplement), the residence permit (public-security rules::parse_decision) and the
    // title review (hrss title_review.rs: eligible, not_eligible).
    // title review (hrss title_review.rs: eligible, not_eligible), and the revocation of a
    // residence permit (public-security rules::parse_resolution: revoke, keep).
    ("decision", &["approve", "refuse", "supplement", "eligible", "not_eligible", "revoke", "keep"]),
    // Refusal reasons with a fixed text (public-security rules::REASON_*), and why an item is `not_applicable` (service-center events::NOT_APPLICABLE_AFTER_REFUSAL).
    ("reason", &["verification_no_show", "work_permit_validity_too_short", "work_permit_refused"]),
    // How the residence decision period is counted (public-security rules::DayCount).
    ("day_count", &["working_days", "days"]),
    // `waiting_for` of the residence item's result (public-security desk.rs, residence.rs;
    // service-center events.rs).
    ("waiting_for", &["applicant", "verification", "decision", "pickup", "none"]),
    // `queue` of the title review item's result (hrss title_review.rs; service-center events.rs).
    ("queue", &["waiting_for_eligibility", "ready_for_decision"]),
];

/// The scanned namespaces.
const SCANNED: &[&str] = &["error", "note"];

fn catalog() -> BTreeMap<String, Value> {
    let v: Value = serde_json::from_str(CODES_JSON).expect("web/catalog/codes.json is JSON");
    let Value::Object(map) = v else { panic!("web/catalog/codes.json is one object") };
    map.into_iter().collect()
}

/// The codes of `namespace` in the catalog.
fn catalog_codes(namespace: &str) -> BTreeSet<String> {
    let prefix = format!("{namespace}.");
    catalog().keys().filter_map(|k| k.strip_prefix(&prefix)).map(str::to_string).collect()
}

/// Fails with the missing keys (ready to paste) and the stale ones.
fn assert_same(namespace: &str, expected: &BTreeSet<String>, problems: &mut Vec<String>) {
    let found = catalog_codes(namespace);
    for code in expected.difference(&found) {
        problems.push(format!(r#"missing  "{namespace}.{code}": {{"zh": "", "en": ""}},"#));
    }
    for code in found.difference(expected) {
        problems.push(format!("stale    {namespace}.{code} (no such code any more)"));
    }
}

fn report(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "web/catalog/codes.json (add the missing, delete the stale):\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_entry_has_chinese_and_english() {
    let mut problems = Vec::new();
    for (key, value) in catalog() {
        let Some((namespace, code)) = key.split_once('.') else {
            problems.push(format!("{key}: no namespace"));
            continue;
        };
        if namespace.is_empty() || code.is_empty() {
            problems.push(format!("{key}: empty namespace or code"));
        }
        let Value::Object(texts) = &value else {
            problems.push(format!("{key}: not an object"));
            continue;
        };
        for lang in ["zh", "en"] {
            match texts.get(lang).and_then(Value::as_str) {
                Some(t) if !t.trim().is_empty() => {}
                _ => problems.push(format!("{key}: no {lang}")),
            }
        }
        if let Some(extra) = texts.keys().find(|l| !matches!(l.as_str(), "zh" | "en")) {
            problems.push(format!("{key}: unknown field {extra:?}"));
        }
        // Catches English pasted into the Chinese text.
        let zh = texts.get("zh").and_then(Value::as_str).unwrap_or_default();
        if !zh.is_empty() && !zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
            problems.push(format!("{key}: the zh text {zh:?} has no Chinese character"));
        }
    }
    report(problems);
}

#[test]
fn every_namespace_of_the_catalog_is_known() {
    let mut known: BTreeSet<&str> = enum_namespaces().into_iter().map(|(n, _)| n).collect();
    known.extend(LISTED.iter().map(|(n, _)| *n));
    known.extend(SCANNED);
    let unknown: BTreeSet<String> = catalog()
        .keys()
        .filter_map(|k| k.split_once('.').map(|(n, _)| n))
        .filter(|n| !known.contains(n))
        .map(str::to_string)
        .collect();
    assert!(unknown.is_empty(), "namespaces no test knows (add them to catalog.rs): {unknown:?}");
}

#[test]
fn every_enum_code_is_translated_and_none_is_stale() {
    let mut problems = Vec::new();
    let listed = LISTED.iter().map(|(n, codes)| (*n, codes.iter().map(|c| c.to_string()).collect()));
    for (namespace, codes) in enum_namespaces().into_iter().chain(listed) {
        let expected: BTreeSet<String> = codes.into_iter().collect();
        assert_same(namespace, &expected, &mut problems);
    }
    report(problems);
}

#[test]
fn every_error_and_note_code_is_translated_and_none_is_stale() {
    let scan = scan::sources();
    assert!(
        scan.unreadable.is_empty(),
        "codes the scan of the sources cannot read (pass the code as a literal or a const, or add the \
         forwarding to scan::FORWARDED in crates/domain/src/catalog.rs):\n{}",
        scan.unreadable.join("\n")
    );
    let mut errors: BTreeSet<String> = scan.violations.clone();
    let conflicts = scan.conflicts.iter().cloned().chain(machine_codes().into_iter().map(str::to_string));
    errors.extend(conflicts.map(|c| c.replace('_', "-")));
    errors.extend(scan.problem_types.iter().cloned());
    let mut problems = Vec::new();
    assert_same("error", &errors, &mut problems);
    assert_same("note", &scan.notes, &mut problems);
    report(problems);
}

#[test]
fn the_catalog_says_what_the_rules_say() {
    // Material and area names are the data files' (data/materials.json, the province's
    // profile); the permit's and the
    // residence case's statuses have the Chinese labels of the services' messages, so
    // that a page and a message never disagree.
    let texts = catalog();
    let text = |key: String, lang: &str| texts[&key][lang].as_str().unwrap_or_default().to_string();
    let materials = crate::materials::Catalog::embedded();
    for kind in MaterialKind::ALL {
        let info = materials.info(*kind);
        assert_eq!(text(format!("material.{kind}"), "zh"), info.name_zh, "material.{kind}");
        assert_eq!(text(format!("material.{kind}"), "en"), info.name_en, "material.{kind}");
    }
    let labels = PermitStatus::ALL.iter().map(|s| (format!("permit_status.{s}"), s.label_zh()));
    let labels = labels.chain(ResidenceStatus::ALL.iter().map(|s| (format!("residence_status.{s}"), s.label_zh())));
    for (key, label) in labels {
        assert_eq!(text(key.clone(), "zh"), label, "{key}");
    }
    let gansu = ProvinceProfile::gansu();
    let areas = std::iter::once((&gansu.code, &gansu.name_zh, &gansu.name_en));
    for (code, zh, en) in areas.chain(gansu.prefectures.value.iter().map(|p| (&p.code, &p.name_zh, &p.name_en))) {
        assert_eq!(
            (text(format!("region.{code}"), "zh"), text(format!("region.{code}"), "en")),
            (zh.clone(), en.clone())
        );
    }
}

#[test]
fn the_scan_finds_the_codes_of_every_shape() {
    let scan = scan::sources();
    let has = |set: &BTreeSet<String>, code: &str| set.contains(code);
    // Violations::push, Violation::new with a const, a closure's push, a HasCode impl.
    for code in ["required", "expired", "photo_too_old", "credit_code_check", "idempotency_key_reused"] {
        assert!(has(&scan.violations, code), "violation code {code}");
    }
    // A struct literal's `code:` and the gateway's own FieldError.
    assert!(has(&scan.violations, crate::notice::SUPPLEMENT_REQUESTED));
    assert!(has(&scan.violations, "invalid_query"));
    // ServiceError::conflict, a service's own conflict wrapper, a const as the kind.
    for code in ["already_rated", "changed_meanwhile", "work_permit_validity_too_short"] {
        assert!(has(&scan.conflicts, code), "conflict kind {code}");
    }
    assert!(has(&scan.problem_types, "not-yet-in-review") && has(&scan.problem_types, "concurrent-change"));
    assert!(has(&scan.notes, "average_wage_unknown"));
    // Test code is skipped: `decided` is only ever a test's conflict kind.
    assert!(!has(&scan.conflicts, "decided"));
    let machine = machine_codes();
    for code in ["not_in_review", "not_supplement_requested", "title_review_closed", "card_not_active", "not_open"] {
        assert!(machine.contains(code), "machine code {code}");
    }
}

/// Every refusal code of the four state machines, by trying every command in every state.
fn machine_codes() -> BTreeSet<&'static str> {
    fn refusals<S: Copy, C>(
        states: &[S],
        commands: &[C],
        transition: impl Fn(Option<S>, &C) -> Result<S, TransitionError>,
        out: &mut BTreeSet<&'static str>,
    ) {
        for from in std::iter::once(None).chain(states.iter().copied().map(Some)) {
            for command in commands {
                if let Err(e) = transition(from, command) {
                    out.insert(e.code());
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    refusals(PermitStatus::ALL, PermitCommand::ALL, permit::transition, &mut out);
    refusals(TitleReviewStatus::ALL, TitleReviewCommand::ALL, title_review::transition, &mut out);
    refusals(CardState::ALL, CardCommand::ALL, card::transition, &mut out);
    refusals(ResidenceState::ALL, ResidenceCommand::ALL, residence::transition, &mut out);
    out
}

/// Reading the codes out of the Rust sources.
///
/// The shapes, in non-test code (`#[cfg(test)]` items, `tests.rs`, `*_tests.rs`, `tests/`
/// and `build.rs` are skipped):
///
/// | shape | namespace | code |
/// |---|---|---|
/// | `x.push(field, code, message)`, `Violation::new(..)`, `FieldError::new(..)` | error | 2nd argument |
/// | `push(code, en, zh)` (a local closure, as in `materials::check_material`) | error | every code-like literal |
/// | `code: "..."` or `code: CONST` in a struct literal (`NoticeItem`) | error | the value |
/// | an `impl HasCode for ..` block (parse errors' codes) | error | every code-like literal |
/// | `conflict(..)` / `forbidden(..)` (`ServiceError::conflict`, the services' wrappers) | error (`_` → `-`) | every code-like literal or `CONST` |
/// | `Problem::new(status, slug, ..)` (gateway) | error | 2nd argument |
/// | `Note::new(code, message)` | note | 1st argument |
///
/// An argument is a string literal, or a `const NAME: &str = "..."` defined anywhere in
/// the sources; anything else must be one of [`FORWARDED`], or the scan reports it.
mod scan {
    use super::*;

    /// Arguments that are not codes themselves but forward codes collected elsewhere.
    const FORWARDED: &[(&str, &str, &str)] = &[
        // Violations::push and json::Reader::push pass their `code` on; their callers are scanned.
        ("crates/domain/src/violation.rs", "Violation::new", "code"),
        ("crates/domain/src/json.rs", "push", "code"),
        // Violations::take: a parse error's code, from the `fn code` bodies (scanned).
        ("crates/domain/src/violation.rs", "push", "e.code()"),
        // Notice to Violations: the items' codes come from violations and struct literals.
        ("crates/domain/src/notice.rs", "Violation::new", "i.code"),
        // The gateway's FailedPrecondition: the services' conflict kinds (scanned).
        ("services/gateway/src/problem.rs", "Problem::new", "&kind"),
    ];

    #[derive(Debug, Default)]
    pub struct Scan {
        pub violations: BTreeSet<String>,
        /// Conflict kinds as the services write them (`not_in_review`).
        pub conflicts: BTreeSet<String>,
        /// Problem type slugs as the gateway writes them (`not-found`).
        pub problem_types: BTreeSet<String>,
        pub notes: BTreeSet<String>,
        /// `file:line: call(expr)` for arguments that are no literal, const or forwarding.
        pub unreadable: Vec<String>,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Tok {
        Str(String),
        Ident(String),
        /// `::`
        Path,
        Punct(char),
        /// Lifetimes, numbers, characters.
        Other,
    }

    type Toks = Vec<(Tok, usize)>;

    fn is_code(s: &str) -> bool {
        s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    }

    fn is_const_name(s: &str) -> bool {
        s.chars().any(|c| c.is_ascii_uppercase())
            && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    }

    /// Rust source to tokens with their line, without comments.
    fn tokens(src: &str) -> Toks {
        let c: Vec<char> = src.chars().collect();
        let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
        let ident_char = |ch: char| ch.is_alphanumeric() || ch == '_';
        while i < c.len() {
            let ch = c[i];
            let next = c.get(i + 1).copied();
            let start_line = line;
            if ch == '\n' {
                line += 1;
                i += 1;
            } else if ch.is_whitespace() {
                i += 1;
            } else if ch == '/' && next == Some('/') {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            } else if ch == '/' && next == Some('*') {
                let mut depth = 0;
                loop {
                    if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(c[i] == '\n');
                        i += 1;
                    }
                }
            } else if (ch == 'r' || (ch == 'b' && next == Some('r'))) && (i == 0 || !ident_char(c[i - 1])) && {
                let mut j = i + if ch == 'b' { 2 } else { 1 };
                while c.get(j) == Some(&'#') {
                    j += 1;
                }
                c.get(j) == Some(&'"')
            } {
                // Raw string: r"..", r#".."#, br"..".
                i += if ch == 'b' { 2 } else { 1 };
                let mut hashes = 0;
                while c[i] == '#' {
                    hashes += 1;
                    i += 1;
                }
                i += 1;
                let mut s = String::new();
                loop {
                    if c[i] == '"' && (0..hashes).all(|h| c.get(i + 1 + h) == Some(&'#')) {
                        i += 1 + hashes;
                        break;
                    }
                    line += usize::from(c[i] == '\n');
                    s.push(c[i]);
                    i += 1;
                }
                out.push((Tok::Str(s), start_line));
            } else if ch == '"' || (ch == 'b' && next == Some('"') && (i == 0 || !ident_char(c[i - 1]))) {
                i += if ch == 'b' { 2 } else { 1 };
                let mut s = String::new();
                while c[i] != '"' {
                    if c[i] == '\\' {
                        s.push(c[i]);
                        i += 1;
                    }
                    line += usize::from(c[i] == '\n');
                    s.push(c[i]);
                    i += 1;
                }
                i += 1;
                out.push((Tok::Str(s), start_line));
            } else if ch == '\'' {
                // A character ('x', '\n', '\u{..}') or a lifetime ('a, 'static).
                if next == Some('\\') {
                    i += 3;
                    while c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if c.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                    while i < c.len() && ident_char(c[i]) {
                        i += 1;
                    }
                }
                out.push((Tok::Other, start_line));
            } else if ch.is_ascii_digit() {
                while i < c.len()
                    && (ident_char(c[i]) || (c[i] == '.' && c.get(i + 1).is_some_and(char::is_ascii_digit)))
                {
                    i += 1;
                }
                out.push((Tok::Other, start_line));
            } else if ident_char(ch) {
                let s: String = c[i..].iter().take_while(|ch| ident_char(**ch)).collect();
                i += s.chars().count();
                out.push((Tok::Ident(s), start_line));
            } else if ch == ':' && next == Some(':') {
                out.push((Tok::Path, start_line));
                i += 2;
            } else {
                out.push((Tok::Punct(ch), start_line));
                i += 1;
            }
        }
        out
    }

    fn punct(t: &Tok, p: char) -> bool {
        *t == Tok::Punct(p)
    }

    fn ident(t: &Tok, name: &str) -> bool {
        matches!(t, Tok::Ident(s) if s == name)
    }

    /// The index after the balanced group opening at `i` (`(`, `[` or `{`).
    fn skip_group(t: &Toks, mut i: usize) -> usize {
        let mut depth = 0usize;
        while i < t.len() {
            match t[i].0 {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') => {
                    depth -= 1;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        i
    }

    /// The tokens without the items marked `#[cfg(test)]`.
    fn without_tests(t: Toks) -> Toks {
        let marker = |i: usize| {
            i + 6 < t.len()
                && punct(&t[i].0, '#')
                && punct(&t[i + 1].0, '[')
                && ident(&t[i + 2].0, "cfg")
                && punct(&t[i + 3].0, '(')
                && ident(&t[i + 4].0, "test")
                && punct(&t[i + 5].0, ')')
                && punct(&t[i + 6].0, ']')
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < t.len() {
            if marker(i) {
                // The item ends at its `;` or with its body.
                let mut j = i + 7;
                while j < t.len() && !punct(&t[j].0, ';') && !punct(&t[j].0, '{') {
                    j = if punct(&t[j].0, '[') || punct(&t[j].0, '(') { skip_group(&t, j) } else { j + 1 };
                }
                i = if j < t.len() && punct(&t[j].0, '{') { skip_group(&t, j) } else { j + 1 };
            } else {
                out.push(t[i].clone());
                i += 1;
            }
        }
        out
    }

    /// The top-level arguments of the call whose `(` is at `i`.
    fn arguments(t: &Toks, i: usize) -> Vec<Vec<Tok>> {
        let end = skip_group(t, i);
        let (mut args, mut current, mut depth) = (Vec::new(), Vec::new(), 0usize);
        for (tok, _) in &t[i + 1..end.saturating_sub(1)] {
            match tok {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') => depth -= 1,
                Tok::Punct(',') if depth == 0 => {
                    args.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(tok.clone());
        }
        if !current.is_empty() {
            args.push(current);
        }
        args
    }

    fn text(arg: &[Tok]) -> String {
        arg.iter()
            .map(|t| match t {
                Tok::Str(s) => format!("{s:?}"),
                Tok::Ident(s) => s.clone(),
                Tok::Path => "::".into(),
                Tok::Punct(p) => p.to_string(),
                Tok::Other => "…".into(),
            })
            .collect()
    }

    /// The string an argument stands for: a literal or a known const, either maybe
    /// followed by `.into()` / `.to_string()`.
    fn value(arg: &[Tok], consts: &BTreeMap<String, String>) -> Option<String> {
        let conversion = |rest: &[Tok]| {
            rest.is_empty()
                || (rest.len() == 4
                    && punct(&rest[0], '.')
                    && matches!(&rest[1], Tok::Ident(m) if ["into", "to_string", "to_owned"].contains(&m.as_str()))
                    && punct(&rest[2], '(')
                    && punct(&rest[3], ')'))
        };
        match arg.first()? {
            Tok::Str(s) if conversion(&arg[1..]) => Some(s.clone()),
            Tok::Ident(_) => {
                // a path `a::b::NAME`
                let mut i = 0;
                while i + 2 < arg.len() && arg[i + 1] == Tok::Path && matches!(arg[i + 2], Tok::Ident(_)) {
                    i += 2;
                }
                match &arg[i] {
                    Tok::Ident(name) if is_const_name(name) && conversion(&arg[i + 1..]) => consts.get(name).cloned(),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | "tests" | "node_modules") && !name.starts_with('.') {
                    rust_files(&path, out);
                }
            } else if name.ends_with(".rs") && name != "build.rs" && name != "tests.rs" && !name.ends_with("_tests.rs")
            {
                out.push(path);
            }
        }
    }

    /// Scans `crates/` and `services/` of the workspace.
    pub fn sources() -> Scan {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut paths = Vec::new();
        for dir in ["crates", "services"] {
            rust_files(&root.join(dir), &mut paths);
        }
        paths.sort();
        assert!(paths.len() > 50, "the scan found only {} Rust files under {}", paths.len(), root.display());
        let files: Vec<(String, Toks)> = paths
            .iter()
            .filter_map(|p| {
                let src = std::fs::read_to_string(p).ok()?;
                // A file that is test code as a whole (like this one).
                if src.contains("#![cfg(test)]") {
                    return None;
                }
                let rel = p.strip_prefix(&root).unwrap_or(p).to_string_lossy().replace('\\', "/");
                Some((rel, without_tests(tokens(&src))))
            })
            .collect();

        // `const NAME: &str = "..."` / `&'static str`, anywhere.
        let mut consts = BTreeMap::new();
        for (_, t) in &files {
            for i in 0..t.len().saturating_sub(7) {
                if !ident(&t[i].0, "const") || !punct(&t[i + 2].0, ':') || !punct(&t[i + 3].0, '&') {
                    continue;
                }
                let j = if t[i + 4].0 == Tok::Other { i + 5 } else { i + 4 };
                if let (Tok::Ident(name), true, true, Some(Tok::Str(v))) =
                    (&t[i + 1].0, ident(&t[j].0, "str"), punct(&t[j + 1].0, '='), t.get(j + 2).map(|x| &x.0))
                {
                    consts.insert(name.clone(), v.clone());
                }
            }
        }

        let mut scan = Scan::default();
        for (file, t) in &files {
            for i in 0..t.len() {
                // `code: <value>` in a struct literal
                if ident(&t[i].0, "code")
                    && i > 0
                    && (punct(&t[i - 1].0, '{') || punct(&t[i - 1].0, ','))
                    && t.get(i + 1).is_some_and(|n| punct(&n.0, ':'))
                {
                    let rest: Vec<Tok> = t[i + 2..]
                        .iter()
                        .map(|x| x.0.clone())
                        .take_while(|x| !punct(x, ',') && !punct(x, '}'))
                        .collect();
                    if let Some(v) = value(&rest, &consts).filter(|v| is_code(v)) {
                        scan.violations.insert(v);
                    }
                }
                // an `impl HasCode for ..` block; the machines' codes are enumerated instead
                // (they are conflicts, not violations)
                if ident(&t[i].0, "impl") && !file.starts_with("crates/domain/src/states/") {
                    let Some(open) = (i..t.len()).find(|j| punct(&t[*j].0, '{') || punct(&t[*j].0, ';')) else {
                        continue;
                    };
                    if punct(&t[open].0, '{') && t[i..open].iter().any(|(tok, _)| ident(tok, "HasCode")) {
                        for (tok, _) in &t[open..skip_group(t, open)] {
                            if let Tok::Str(s) = tok
                                && is_code(s)
                            {
                                scan.violations.insert(s.clone());
                            }
                        }
                    }
                }
                // calls
                let Tok::Ident(name) = &t[i].0 else { continue };
                if !t.get(i + 1).is_some_and(|n| punct(&n.0, '(')) || (i > 0 && ident(&t[i - 1].0, "fn")) {
                    continue;
                }
                let qualifier = match (i >= 2).then(|| (&t[i - 2].0, &t[i - 1].0)) {
                    Some((Tok::Ident(q), Tok::Path)) => q.as_str(),
                    Some((_, Tok::Punct('.'))) => ".",
                    _ => "",
                };
                let args = arguments(t, i + 1);
                let call = if qualifier.is_empty() || qualifier == "." {
                    name.clone()
                } else {
                    format!("{qualifier}::{name}")
                };
                let read = |arg: Option<&Vec<Tok>>, set: &mut BTreeSet<String>, unreadable: &mut Vec<String>| {
                    let Some(arg) = arg else { return };
                    match value(arg, &consts) {
                        Some(v) => {
                            set.insert(v);
                        }
                        None if FORWARDED.iter().any(|(f, c, e)| f == file && *c == call && *e == text(arg)) => {}
                        None => unreadable.push(format!("{file}:{}: {call}(.., {}, ..)", t[i].1, text(arg))),
                    }
                };
                match (qualifier, name.as_str()) {
                    (".", "push") | ("Violation" | "FieldError", "new") if args.len() == 3 => {
                        read(args.get(1), &mut scan.violations, &mut scan.unreadable)
                    }
                    ("", "push") if args.len() == 3 => {
                        for arg in &args {
                            if let Some(v) = value(arg, &consts).filter(|v| is_code(v)) {
                                scan.violations.insert(v);
                            }
                        }
                    }
                    ("Problem", "new") => read(args.get(1), &mut scan.problem_types, &mut scan.unreadable),
                    ("Note", "new") => read(args.first(), &mut scan.notes, &mut scan.unreadable),
                    (_, "conflict" | "forbidden") => {
                        for arg in &args {
                            if let Some(v) = value(arg, &consts).filter(|v| is_code(v)) {
                                scan.conflicts.insert(v);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        scan
    }
}
