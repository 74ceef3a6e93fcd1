//! The bench tables: the listing clients side by side, then one row per
//! claim with its ratio and target.

use serde_json::{Value, json};

/// The page size of every listing client: passed to bench-client, and the
/// Python peer's `page_size`.
pub const PAGE_SIZE: u64 = 100;

/// Median of measurements (mean of the middle two for even counts).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// One timed client run: wall and CPU (user + system) seconds of its
/// measured loop, its context switches (NaN when the client does not say),
/// and how many items it read.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub wall: f64,
    pub cpu: f64,
    pub switches: f64,
    pub items: u64,
}

impl Run {
    /// Reads a client's JSON line (`seconds`, `cpu_seconds`, `items`, and
    /// `context_switches` if present).
    pub fn from_line(line: &Value) -> Option<Self> {
        Some(Run {
            wall: line["seconds"].as_f64()?,
            cpu: line["cpu_seconds"].as_f64()?,
            switches: line["context_switches"].as_f64().unwrap_or(f64::NAN),
            items: line["items"].as_u64()?,
        })
    }

    /// Wall and CPU medians of several runs (each median taken on its own).
    pub fn median_of(runs: &[Run]) -> Run {
        let wall: Vec<f64> = runs.iter().map(|r| r.wall).collect();
        let cpu: Vec<f64> = runs.iter().map(|r| r.cpu).collect();
        let switches: Vec<f64> = runs.iter().map(|r| r.switches).collect();
        Run {
            wall: median(&wall),
            cpu: median(&cpu),
            switches: median(&switches),
            items: runs.iter().map(|r| r.items).max().unwrap_or(0),
        }
    }

    /// CPU milliseconds per 1,000 items.
    pub fn cpu_ms_per_1000(&self) -> f64 {
        self.cpu * 1e6 / self.items.max(1) as f64
    }

    /// Pages of [`PAGE_SIZE`] the run read.
    pub fn pages(&self) -> f64 {
        (self.items as f64 / PAGE_SIZE as f64).ceil()
    }

    /// Context switches per page.
    pub fn switches_per_page(&self) -> f64 {
        self.switches / self.pages().max(1.0)
    }
}

/// What a ratio must be.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    AtMost(f64),
    AtLeast(f64),
    /// Reported against an aim, not enforced.
    Aim(f64),
    /// Reported only.
    None,
}

impl Target {
    fn text(self) -> String {
        match self {
            Target::AtMost(x) => format!("<= {x:.2}"),
            Target::AtLeast(x) => format!(">= {x:.2}"),
            Target::Aim(x) => format!("reported (aim <= {x:.2})"),
            Target::None => "reported".into(),
        }
    }

    /// Why `ratio` misses this target, if it does. A NaN ratio (a run that
    /// measured nothing) misses any enforced target.
    fn missed(self, ratio: f64) -> Option<String> {
        match self {
            Target::AtMost(max) if ratio.partial_cmp(&max).is_none_or(|o| o.is_gt()) => {
                Some(format!("ratio {ratio:.3} above {max:.2}"))
            }
            Target::AtLeast(min) if ratio.partial_cmp(&min).is_none_or(|o| o.is_lt()) => {
                Some(format!("ratio {ratio:.3} below {min:.2}"))
            }
            _ => None,
        }
    }

    fn enforced(self) -> bool {
        matches!(self, Target::AtMost(_) | Target::AtLeast(_))
    }
}

pub struct Row {
    name: String,
    cells: String,
    ratio: Option<f64>,
    target: String,
    enforced: bool,
    failure: Option<String>,
    json: Value,
}

impl Row {
    /// `a / b` against `target`.
    pub fn ratio(name: &str, a_label: &str, a: f64, b_label: &str, b: f64, target: Target) -> Self {
        let ratio = a / b;
        Row {
            name: name.into(),
            cells: format!("{a_label} {a:.3} / {b_label} {b:.3}"),
            ratio: Some(ratio),
            target: target.text(),
            enforced: target.enforced(),
            failure: target.missed(ratio),
            json: json!({
                "name": name, a_label: a, b_label: b, "ratio": ratio, "target": target.text(),
            }),
        }
    }

    /// A single measured value against a stated target.
    pub fn value(name: &str, value: f64, target: &str, detail: &str) -> Self {
        Row {
            name: name.into(),
            cells: format!("{value} ({detail})"),
            ratio: None,
            target: target.into(),
            enforced: true,
            failure: None,
            json: json!({ "name": name, "value": value, "target": target, "detail": detail }),
        }
    }

    pub fn skipped(name: &str, why: &str) -> Self {
        Row {
            name: name.into(),
            cells: format!("skipped: {why}"),
            ratio: None,
            target: "-".into(),
            enforced: false,
            failure: None,
            json: json!({ "name": name, "skipped": why }),
        }
    }

    pub fn fail(&mut self, why: &str) {
        self.failure = Some(why.into());
    }
}

/// A listing client's medians.
struct Client {
    label: String,
    run: Run,
}

#[derive(Default)]
pub struct Report {
    listing: String,
    clients: Vec<Client>,
    notes: Vec<(String, Value)>,
    rows: Vec<Row>,
}

impl Report {
    /// Names the listing every client row reads.
    pub fn listing(&mut self, what: &str) {
        self.listing = what.into();
    }

    /// A listing client's medians.
    pub fn client(&mut self, label: &str, run: Run) {
        println!(
            "  measured: {label} -> wall {:.3} s, CPU {:.3} s, {:.1} context switches per page, {} items",
            run.wall,
            run.cpu,
            run.switches_per_page(),
            run.items
        );
        self.clients.push(Client {
            label: label.into(),
            run,
        });
    }

    /// A line printed under the listing table (and kept in the JSON).
    pub fn note(&mut self, key: &str, text: String, value: Value) {
        println!("  measured: {text}");
        self.notes
            .push((key.into(), json!({ "text": text, "value": value })));
    }

    pub fn push(&mut self, row: Row) {
        println!("  measured: {} -> {}", row.name, row.cells);
        self.rows.push(row);
    }

    pub fn failed(&self) -> bool {
        self.rows.iter().any(|r| r.failure.is_some())
    }

    pub fn print(&self) {
        if !self.clients.is_empty() {
            println!("\n{}", self.listing);
            println!();
            println!(
                "| client | wall (s) | CPU (s) | CPU per 1,000 payments (ms) | context switches per page |"
            );
            println!("|---|---|---|---|---|");
            for c in &self.clients {
                println!(
                    "| {} | {:.3} | {:.3} | {:.2} | {:.1} |",
                    c.label,
                    c.run.wall,
                    c.run.cpu,
                    c.run.cpu_ms_per_1000(),
                    c.run.switches_per_page()
                );
            }
            for (_, note) in &self.notes {
                println!("\n{}", note["text"].as_str().unwrap_or_default());
            }
        }
        println!("\n| measurement | values | ratio | target | verdict |");
        println!("|---|---|---|---|---|");
        for r in &self.rows {
            let ratio = r.ratio.map_or("-".into(), |x| format!("{x:.3}"));
            let verdict = match &r.failure {
                Some(why) => format!("MISSED: {why}"),
                None if !r.enforced => "-".into(),
                None => "met".into(),
            };
            println!(
                "| {} | {} | {} | {} | {} |",
                r.name, r.cells, ratio, r.target, verdict
            );
        }
    }

    pub fn json(&self) -> Value {
        let clients: Vec<Value> = self
            .clients
            .iter()
            .map(|c| {
                json!({
                    "client": c.label,
                    "wall_seconds": c.run.wall,
                    "cpu_seconds": c.run.cpu,
                    "items": c.run.items,
                    "cpu_ms_per_1000": c.run.cpu_ms_per_1000(),
                    "context_switches": c.run.switches,
                    "context_switches_per_page": c.run.switches_per_page(),
                })
            })
            .collect();
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let mut v = r.json.clone();
                v["missed"] = json!(r.failure);
                // What the printed table shows, so that docs/benchmarks.md
                // renders the same row from the file alone.
                v["cells"] = json!(r.cells);
                v["ratio"] = json!(r.ratio);
                v["enforced"] = json!(r.enforced);
                v
            })
            .collect();
        let notes: serde_json::Map<String, Value> = self.notes.iter().cloned().collect();
        json!({
            "listing": { "what": self.listing, "clients": clients, "notes": notes },
            "rows": rows,
        })
    }
}
