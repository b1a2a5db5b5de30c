use super::*;
use proptest::prelude::*;
use serde_json::json;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A request scoring only what is set; age 30 on 2026-06-01 (15 points), region outside
/// the western prefixes (0), everything else at the lowest band.
fn base() -> ClassificationInput {
    ClassificationInput {
        as_of: d("2026-06-01"),
        birth_date: d("1996-01-15"),
        annual_salary_cny: 0,
        education: Education::None,
        vocational: Vocational::None,
        work_experience_years: 0.0,
        months_in_china_per_year: 0.0,
        chinese: Chinese::None,
        extras: BTreeSet::new(),
        local_bonus: 0,
        direct_qualification: None,
        employer_region_code: Some("350100".into()),
    }
}

fn factor(input: &ClassificationInput, table: &PointsTable, f: Factor) -> u32 {
    let s = table.score(input, &ProvinceProfile::gansu());
    s.iter().find(|x| x.factor == f).map(|x| x.points).unwrap()
}

#[test]
fn the_embedded_tables_parse_and_total_120() {
    let (default, tables) = PointsTable::parse_file(POINTS_TABLES_JSON).unwrap();
    assert_eq!(default, "standard");
    assert_eq!(tables.len(), 2);
    assert_eq!(PointsTable::standard().max_total(), 120);
    assert_eq!(PointsTable::trial().max_total(), 120);
    assert_eq!(PointsTable::default_variant().name, "standard");
    assert_eq!(PointsTable::standard().confidence, Confidence::Confirmed);
    assert_eq!(PointsTable::trial().confidence, Confidence::SingleSource);
    assert_eq!(PointsTable::by_name("trial").unwrap().work_experience.max, 15);
    assert_eq!(PointsTable::by_name("暂行"), Err(UnknownVariant("暂行".into())));
}

#[test]
fn a_broken_table_is_refused() {
    let bad = POINTS_TABLES_JSON.replacen(
        "{\"min_cny\": 450000, \"points\": 20}",
        "{\"min_cny\": 450000, \"points\": 21}",
        1,
    );
    assert!(matches!(PointsTable::parse_file(&bad), Err(DataError::Invalid { .. })));
    let unsorted =
        POINTS_TABLES_JSON.replacen("{\"min_cny\": 50000, \"points\": 5}", "{\"min_cny\": 500000, \"points\": 5}", 1);
    assert!(PointsTable::parse_file(&unsorted).is_err());
    assert!(PointsTable::parse_file("{}").is_err());
}

#[test]
fn salary_band_edges() {
    let t = PointsTable::standard();
    let cases = [
        (450_000, 20),
        (449_999, 17),
        (350_000, 17),
        (349_999, 14),
        (250_000, 14),
        (249_999, 11),
        (150_000, 11),
        (149_999, 8),
        (70_000, 8),
        (69_999, 5),
        (50_000, 5),
        (49_999, 0),
        (0, 0),
        (u64::MAX, 20),
    ];
    for (salary, points) in cases {
        let input = ClassificationInput { annual_salary_cny: salary, ..base() };
        assert_eq!(factor(&input, &t, Factor::Salary), points, "salary {salary}");
    }
}

#[test]
fn education_takes_the_better_of_degree_and_vocational() {
    let t = PointsTable::standard();
    let cases = [
        (Education::Doctorate, Vocational::None, 20),
        (Education::Master, Vocational::None, 15),
        (Education::Bachelor, Vocational::None, 10),
        (Education::None, Vocational::None, 0),
        (Education::None, Vocational::TopInternational, 20),
        (Education::None, Vocational::SeniorTechnician, 20),
        (Education::None, Vocational::Technician, 15),
        (Education::None, Vocational::SeniorWorker, 10),
        (Education::Bachelor, Vocational::Technician, 15),
        (Education::Doctorate, Vocational::SeniorWorker, 20),
    ];
    for (e, v, points) in cases {
        let input = ClassificationInput { education: e, vocational: v, ..base() };
        assert_eq!(factor(&input, &t, Factor::Education), points, "{e} {v}");
    }
}

#[test]
fn work_experience_edges_in_both_variants() {
    let (s, t) = (PointsTable::standard(), PointsTable::trial());
    let cases = [
        (0.0, 0, 0),
        (1.99, 0, 0),
        (2.0, 5, 5),
        (2.99, 5, 5),
        (3.0, 6, 6),
        (6.5, 9, 9),
        (12.0, 15, 15),
        (13.0, 16, 15),
        (16.0, 19, 15),
        (17.0, 20, 15),
        (30.0, 20, 15),
        (80.0, 20, 15),
        (f64::NAN, 0, 0),
        (f64::INFINITY, 20, 15),
    ];
    for (years, standard, trial) in cases {
        let input = ClassificationInput { work_experience_years: years, ..base() };
        assert_eq!(factor(&input, &s, Factor::WorkExperience), standard, "standard {years}");
        assert_eq!(factor(&input, &t, Factor::WorkExperience), trial, "trial {years}");
    }
}

#[test]
fn months_in_china_edges() {
    let t = PointsTable::standard();
    for (months, points) in
        [(0.0, 0), (2.0, 0), (2.99, 0), (3.0, 5), (5.0, 5), (6.0, 10), (8.0, 10), (8.5, 10), (9.0, 15), (12.0, 15)]
    {
        let input = ClassificationInput { months_in_china_per_year: months, ..base() };
        assert_eq!(factor(&input, &t, Factor::MonthsInChina), points, "months {months}");
    }
}

#[test]
fn chinese_scales_of_both_variants() {
    let (s, t) = (PointsTable::standard(), PointsTable::trial());
    let cases = [
        (Chinese::None, 0, 0),
        (Chinese::Hsk1, 1, 2),
        (Chinese::Hsk2, 2, 4),
        (Chinese::Hsk3, 3, 6),
        (Chinese::Hsk4, 4, 8),
        (Chinese::Hsk5, 5, 10),
        (Chinese::Hsk6, 5, 10),
        (Chinese::ChineseTaughtDegree, 5, 10),
        (Chinese::FormerChineseNational, 5, 0),
    ];
    for (c, standard, trial) in cases {
        let input = ClassificationInput { chinese: c, ..base() };
        assert_eq!(factor(&input, &s, Factor::Chinese), standard, "standard {c}");
        assert_eq!(factor(&input, &t, Factor::Chinese), trial, "trial {c}");
    }
}

#[test]
fn work_region_is_10_in_gansu_and_0_elsewhere_or_unknown() {
    let t = PointsTable::standard();
    for (region, points) in
        [(Some("620500"), 10), (Some("623001"), 10), (Some("350100"), 0), (Some("629999"), 0), (None, 0)]
    {
        let input = ClassificationInput { employer_region_code: region.map(str::to_string), ..base() };
        assert_eq!(factor(&input, &t, Factor::WorkRegion), points, "{region:?}");
    }
    // An invented code under Gansu's prefix earns nothing, and the answer says why.
    let input = ClassificationInput { employer_region_code: Some("629999".into()), ..base() };
    let c = classify(&input, &t, &ProvinceProfile::gansu());
    assert!(c.notes.iter().any(|n| n.code == "work_region_not_a_division"), "{:?}", c.notes);
}

#[test]
fn a_salary_above_the_sanity_bound_is_refused() {
    let body = |salary: u64| json!({"as_of": "2026-01-01", "birth_date": "1990-01-01", "annual_salary_cny": salary});
    assert!(ClassificationInput::from_json(&body(100_000_000)).is_ok());
    let err = ClassificationInput::from_json(&body(i64::MAX as u64)).unwrap_err();
    assert!(err.contains("annual_salary_cny", "out_of_range"), "{err}");
}

#[test]
fn age_edges_in_whole_years_on_as_of() {
    let t = PointsTable::standard();
    let as_of = d("2026-06-01");
    // (birth date, whole years on as_of, points)
    let cases = [
        ("2008-06-02", 17, 0), // 18th birthday is tomorrow
        ("2008-06-01", 18, 10),
        ("2000-06-01", 26, 15),
        ("2000-06-02", 25, 10), // day before the 26th birthday
        ("1980-06-01", 46, 10),
        ("1980-06-02", 45, 15),
        ("1970-06-01", 56, 5),
        ("1970-06-02", 55, 10),
        ("1965-06-01", 61, 0),
        ("1965-06-02", 60, 5),
        ("1940-01-01", 86, 0),
        ("2020-01-01", 6, 0),
    ];
    for (birth, age, points) in cases {
        assert_eq!(age_on(d(birth), as_of), age, "{birth}");
        let input = ClassificationInput { birth_date: d(birth), as_of, ..base() };
        assert_eq!(factor(&input, &t, Factor::Age), points, "{birth}");
    }
    // 29 February: 18 on 1 March of a common year, not on 28 February.
    assert_eq!(age_on(d("2008-02-29"), d("2026-02-28")), 17);
    assert_eq!(age_on(d("2008-02-29"), d("2026-03-01")), 18);
    assert_eq!(age_on(d("2027-01-01"), d("2026-01-01")), -1);
}

#[test]
fn extras_count_once_and_per_variant() {
    let (s, t) = (PointsTable::standard(), PointsTable::trial());
    let all: BTreeSet<Extra> = Extra::ALL.iter().copied().collect();
    let input = ClassificationInput { extras: all, ..base() };
    assert_eq!(factor(&input, &s, Factor::Extras), 5);
    let ip: BTreeSet<Extra> = [Extra::IntellectualProperty].into();
    let input = ClassificationInput { extras: ip, ..base() };
    assert_eq!(factor(&input, &s, Factor::Extras), 5);
    assert_eq!(factor(&input, &t, Factor::Extras), 0, "the trial variant has only two extra items");
    assert_eq!(factor(&base(), &s, Factor::Extras), 0);
}

/// A request with a chosen total: age 30 (15) + salary + education + local bonus.
fn with_total(salary: u64, education: Education, bonus: u32) -> ClassificationInput {
    ClassificationInput { annual_salary_cny: salary, education, local_bonus: bonus, ..base() }
}

#[test]
fn threshold_edges_59_60_84_85() {
    let (t, gansu) = (PointsTable::standard(), ProvinceProfile::gansu());
    // 15 age + 14 salary + 20 doctorate + bonus; 20 extra from work years 17+.
    let cases = [
        (
            ClassificationInput { work_experience_years: 0.0, ..with_total(250_000, Education::Doctorate, 10) },
            59,
            Category::C,
        ),
        (
            ClassificationInput { months_in_china_per_year: 3.0, ..with_total(250_000, Education::Doctorate, 6) },
            60,
            Category::B,
        ),
        (
            ClassificationInput { months_in_china_per_year: 9.0, ..with_total(450_000, Education::Doctorate, 4) },
            74,
            Category::B,
        ),
        (
            ClassificationInput {
                months_in_china_per_year: 9.0,
                chinese: Chinese::Hsk4,
                ..with_total(450_000, Education::Doctorate, 10)
            },
            84,
            Category::B,
        ),
        (
            ClassificationInput {
                months_in_china_per_year: 9.0,
                chinese: Chinese::Hsk5,
                ..with_total(450_000, Education::Doctorate, 10)
            },
            85,
            Category::A,
        ),
    ];
    for (input, points, category) in cases {
        let c = classify(&input, &t, &gansu);
        assert_eq!((c.points, c.category), (points, category), "{:?}", c.breakdown);
    }
    assert_eq!(t.thresholds.category(59), Category::C);
    assert_eq!(t.thresholds.category(60), Category::B);
    assert_eq!(t.thresholds.category(84), Category::B);
    assert_eq!(t.thresholds.category(85), Category::A);
}

#[test]
fn every_direct_qualification_gives_a_regardless_of_points() {
    let (t, gansu) = (PointsTable::standard(), ProvinceProfile::gansu());
    for dq in DirectQualification::ALL {
        let input = ClassificationInput { direct_qualification: Some(*dq), ..base() };
        let c = classify(&input, &t, &gansu);
        assert_eq!(
            (c.category, c.route, c.points_category),
            (Category::A, Route::DirectQualification, Category::C),
            "{dq}"
        );
        assert_eq!(c.department, Department::ScienceTech);
    }
}

#[test]
fn b_conditions_without_points() {
    let (t, gansu) = (PointsTable::standard(), ProvinceProfile::gansu());
    // Bachelor + 2 years: at least B.
    let input = ClassificationInput { education: Education::Bachelor, work_experience_years: 2.0, ..base() };
    let c = classify(&input, &t, &gansu);
    assert_eq!(
        (c.category, c.route, c.b_condition),
        (Category::B, Route::BCondition, Some(BCondition::DegreeAndExperience))
    );
    // 1.99 years is not enough; no degree is not enough.
    let input = ClassificationInput { education: Education::Bachelor, work_experience_years: 1.99, ..base() };
    assert_eq!(classify(&input, &t, &gansu).category, Category::C);
    let input = ClassificationInput { work_experience_years: 10.0, ..base() };
    assert_eq!(classify(&input, &t, &gansu).category, Category::C);
    // International vocational certificate.
    let input = ClassificationInput { vocational: Vocational::TopInternational, ..base() };
    assert_eq!(classify(&input, &t, &gansu).b_condition, Some(BCondition::InternationalVocationalCertificate));
    // Salary ≥ 4× the average wage: only when the average wage is known.
    let input = ClassificationInput { annual_salary_cny: 40_000, ..base() };
    let c = classify(&input, &t, &gansu);
    assert_eq!(c.category, Category::C);
    assert!(c.notes.iter().any(|n| n.code == "average_wage_unknown"));
    let mut known = gansu.clone();
    known.previous_year_average_wage_cny.value = Some(10_000);
    let c = classify(&input, &t, &known);
    assert_eq!((c.category, c.b_condition), (Category::B, Some(BCondition::SalaryFourTimesAverage)));
    assert!(!c.notes.iter().any(|n| n.code == "average_wage_unknown"));
    let input = ClassificationInput { annual_salary_cny: 39_999, ..base() };
    assert_eq!(classify(&input, &t, &known).category, Category::C);
    // ≥ 6× is A, when the average is known.
    let input = ClassificationInput { annual_salary_cny: 60_000, ..base() };
    let c = classify(&input, &t, &known);
    assert_eq!((c.category, c.route), (Category::A, Route::DirectQualification));
    // A points route wins over a B condition's route.
    let input = ClassificationInput {
        education: Education::Doctorate,
        work_experience_years: 17.0,
        annual_salary_cny: 450_000,
        months_in_china_per_year: 9.0,
        ..base()
    };
    let c = classify(&input, &t, &gansu);
    assert_eq!((c.category, c.route), (Category::A, Route::Points));
}

#[test]
fn a_claimed_six_times_salary_below_the_known_average_is_noted() {
    let (t, mut gansu) = (PointsTable::standard(), ProvinceProfile::gansu());
    gansu.previous_year_average_wage_cny.value = Some(100_000);
    let input = ClassificationInput {
        direct_qualification: Some(DirectQualification::SalarySixTimesAverage),
        annual_salary_cny: 500_000,
        ..base()
    };
    let c = classify(&input, &t, &gansu);
    assert_eq!(c.category, Category::A);
    assert!(c.notes.iter().any(|n| n.code == "salary_six_times_average_not_met"));
}

#[test]
fn department_and_issuer_follow_the_category_and_region() {
    let (t, gansu) = (PointsTable::standard(), ProvinceProfile::gansu());
    let lanzhou_a = ClassificationInput {
        direct_qualification: Some(DirectQualification::TalentProgram),
        employer_region_code: Some("620100".into()),
        ..base()
    };
    let c = classify(&lanzhou_a, &t, &gansu);
    assert!(c.issuer.starts_with("Lanzhou Municipal Bureau"));
    let lanzhou_c = ClassificationInput { employer_region_code: Some("620100".into()), ..base() };
    let c = classify(&lanzhou_c, &t, &gansu);
    assert_eq!((c.category, c.department), (Category::C, Department::Hrss));
    assert_eq!(c.issuer, "Gansu Provincial Department of Human Resources and Social Security");
}

#[test]
fn the_answer_serialises_with_the_api_names() {
    let (t, gansu) = (PointsTable::standard(), ProvinceProfile::gansu());
    let body = json!({
        "as_of": "2026-11-29", "birth_date": "1988-04-02", "annual_salary_cny": 300000,
        "education": "doctorate", "vocational": "none", "work_experience_years": 6.5,
        "months_in_china_per_year": 12, "chinese": "hsk4",
        "extras": ["top_university", "fortune_500"], "local_bonus": 0,
        "direct_qualification": null, "employer_region_code": "620500"
    });
    let input = ClassificationInput::from_json(&body).unwrap();
    let c = classify(&input, &t, &gansu);
    // 14 + 20 + 9 + 15 + 4 + 10 + 15 + 5 + 0
    assert_eq!(c.points, 92);
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["category"], "A");
    assert_eq!(v["points"], 92);
    assert_eq!(v["department"], "science-tech");
    assert_eq!(v["route"], "points");
    assert_eq!(v["issuer"], "Gansu Provincial Department of Science and Technology");
    let names: Vec<&str> = v["breakdown"].as_array().unwrap().iter().map(|f| f["factor"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "salary",
            "education",
            "work_experience",
            "months_in_china",
            "chinese",
            "work_region",
            "age",
            "extras",
            "local_bonus"
        ]
    );
    assert_eq!(v["breakdown"][0], json!({"factor": "salary", "points": 14, "max": 20}));
}

#[test]
fn from_json_defaults_optional_fields_to_the_lowest_band() {
    let input = ClassificationInput::from_json(
        &json!({"as_of": "2026-01-01", "birth_date": "1990-01-01", "annual_salary_cny": 0}),
    )
    .unwrap();
    assert_eq!(input.education, Education::None);
    assert_eq!(input.chinese, Chinese::None);
    assert!(input.extras.is_empty());
    assert_eq!((input.local_bonus, input.months_in_china_per_year), (0, 0.0));
    assert_eq!(input.employer_region_code, None);
    let input = ClassificationInput::from_json(
        &json!({"as_of": "2026-01-01", "birth_date": "1990-01-01", "annual_salary_cny": 1.0e5, "education": null}),
    )
    .unwrap();
    assert_eq!(input.annual_salary_cny, 100_000);
}

#[test]
fn from_json_reports_every_problem_at_once() {
    let body = json!({
        "birth_date": "1988-02-30",
        "annual_salary_cny": -5,
        "education": "phd",
        "vocational": 3,
        "work_experience_years": -1,
        "months_in_china_per_year": 13,
        "chinese": "hsk7",
        "extras": ["top_university", "nobel", 5],
        "local_bonus": 11,
        "direct_qualification": "royalty",
        "employer_region_code": "62"
    });
    let err = ClassificationInput::from_json(&body).unwrap_err();
    let got: Vec<(&str, &str)> = err.0.iter().map(|v| (v.field.as_str(), v.code.as_str())).collect();
    assert_eq!(
        got,
        [
            ("as_of", "required"),
            ("birth_date", "invalid_date"),
            ("annual_salary_cny", "negative"),
            ("education", "unknown_value"),
            ("vocational", "invalid_type"),
            ("work_experience_years", "negative"),
            ("months_in_china_per_year", "out_of_range"),
            ("chinese", "unknown_value"),
            ("extras[1]", "unknown_value"),
            ("extras[2]", "invalid_type"),
            ("local_bonus", "out_of_range"),
            ("direct_qualification", "unknown_value"),
            ("employer_region_code", "invalid_region_code"),
        ]
    );
}

#[test]
fn from_json_refuses_other_shapes() {
    let err = ClassificationInput::from_json(&json!([1, 2])).unwrap_err();
    assert_eq!(err.0[0].code, "not_an_object");
    let err = ClassificationInput::from_json(
        &json!({"as_of": 20260101, "birth_date": "2027-01-01", "annual_salary_cny": "300000", "extras": "fortune_500", "local_bonus": 2.5}),
    )
    .unwrap_err();
    let got: Vec<(&str, &str)> = err.0.iter().map(|v| (v.field.as_str(), v.code.as_str())).collect();
    assert_eq!(
        got,
        [
            ("as_of", "invalid_type"),
            ("annual_salary_cny", "invalid_type"),
            ("extras", "invalid_type"),
            ("local_bonus", "not_an_integer")
        ]
    );
    let err = ClassificationInput::from_json(
        &json!({"as_of": "2026-01-01", "birth_date": "2027-01-01", "annual_salary_cny": 1}),
    )
    .unwrap_err();
    assert_eq!(err.0[0].code, "birth_date_after_as_of");
}

#[test]
fn from_profile_prefixes_its_fields() {
    let profile = ProfileInput {
        education: Some("master".into()),
        vocational: None,
        work_experience_years: Some(-2.0),
        months_in_china_per_year: Some(14),
        chinese: Some("klingon".into()),
        extras: vec!["fortune_500".into(), "x".into()],
        local_bonus: Some(-1),
        direct_qualification: None,
    };
    let err =
        ClassificationInput::from_profile(&profile, d("1990-01-01"), 300_000, "620100", d("2026-01-01")).unwrap_err();
    let got: Vec<(&str, &str)> = err.0.iter().map(|v| (v.field.as_str(), v.code.as_str())).collect();
    assert_eq!(
        got,
        [
            ("profile.work_experience_years", "negative"),
            ("profile.months_in_china_per_year", "out_of_range"),
            ("profile.chinese", "unknown_value"),
            ("profile.extras[1]", "unknown_value"),
            ("profile.local_bonus", "negative"),
        ]
    );
    let ok =
        ProfileInput { education: Some("master".into()), work_experience_years: Some(3.0), ..ProfileInput::default() };
    let input = ClassificationInput::from_profile(&ok, d("1990-01-01"), 300_000, "620100", d("2026-01-01")).unwrap();
    assert_eq!(input.employer_region_code(), Some("620100"));
    let c = classify(&input, &PointsTable::standard(), &ProvinceProfile::gansu());
    // 14 + 15 + 6 + 0 + 0 + 10 + 15 = 60
    assert_eq!((c.points, c.category), (60, Category::B));
    let err = ClassificationInput::from_profile(&ok, d("2027-01-01"), 1, "6201", d("2026-01-01")).unwrap_err();
    assert_eq!(err.len(), 2);
}

fn arb_input() -> impl Strategy<Value = ClassificationInput> {
    (
        0u64..700_000,
        0usize..4,
        0usize..5,
        0.0f64..40.0,
        0.0f64..=12.0,
        0usize..9,
        proptest::collection::btree_set(0usize..4, 0..4),
        0u32..=10,
        0i64..30_000,
        proptest::bool::ANY,
    )
        .prop_map(|(salary, e, v, years, months, c, extras, bonus, age_days, western)| ClassificationInput {
            as_of: d("2026-06-01"),
            birth_date: d("2026-06-01") - chrono::Duration::days(age_days),
            annual_salary_cny: salary,
            education: Education::ALL[e],
            vocational: Vocational::ALL[v],
            work_experience_years: years,
            months_in_china_per_year: months,
            chinese: Chinese::ALL[c],
            extras: extras.into_iter().map(|i| Extra::ALL[i]).collect(),
            local_bonus: bonus,
            direct_qualification: None,
            employer_region_code: Some(if western { "620100" } else { "350100" }.into()),
        })
}

/// "Better or equal" in A < B < C order.
fn not_worse(after: Category, before: Category) -> bool {
    after <= before
}

proptest! {
    #[test]
    fn factors_stay_within_their_max_and_the_total_is_their_sum(input in arb_input(), trial in proptest::bool::ANY) {
        let t = if trial { PointsTable::trial() } else { PointsTable::standard() };
        let c = classify(&input, &t, &ProvinceProfile::gansu());
        for f in &c.breakdown {
            prop_assert!(f.points <= f.max, "{:?}", f);
        }
        prop_assert_eq!(c.points, c.breakdown.iter().map(|f| f.points).sum::<u32>());
        prop_assert!(c.points <= t.max_total());
        prop_assert_eq!(c.breakdown.len(), Factor::ALL.len());
    }

    #[test]
    fn raising_salary_never_lowers_the_category(input in arb_input(), raise in 0u64..500_000) {
        let (t, g) = (PointsTable::standard(), ProvinceProfile::gansu());
        let before = classify(&input, &t, &g);
        let higher = ClassificationInput { annual_salary_cny: input.annual_salary_cny + raise, ..input.clone() };
        let after = classify(&higher, &t, &g);
        prop_assert!(not_worse(after.category, before.category));
        prop_assert!(after.points >= before.points);
    }

    #[test]
    fn raising_education_never_lowers_the_category(input in arb_input(), to in 0usize..4) {
        let (t, g) = (PointsTable::standard(), ProvinceProfile::gansu());
        // Education::ALL is ordered best first.
        let to = Education::ALL[to];
        prop_assume!(to < input.education);
        let before = classify(&input, &t, &g);
        let after = classify(&ClassificationInput { education: to, ..input.clone() }, &t, &g);
        prop_assert!(not_worse(after.category, before.category));
        prop_assert!(after.points >= before.points);
    }
}
