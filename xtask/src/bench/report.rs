//! The bench table: one row per claim, with its ratio and target.

use serde_json::{Value, json};

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

pub struct Row {
    name: String,
    cells: String,
    ratio: Option<f64>,
    target: String,
    failure: Option<String>,
    json: Value,
}

impl Row {
    /// `a / b`, which must be at most `max` (infinite: reported only).
    pub fn ratio(name: &str, a_label: &str, a: f64, b_label: &str, b: f64, max: f64) -> Self {
        let ratio = a / b;
        let target = if max.is_finite() {
            format!("<= {max:.2}")
        } else {
            "reported".into()
        };
        // A NaN ratio (a run that measured nothing) misses the target too.
        let met = ratio.partial_cmp(&max).is_some_and(|o| o.is_le());
        let failure = (max.is_finite() && !met).then(|| format!("ratio {ratio:.3} above {max:.2}"));
        Row {
            name: name.into(),
            cells: format!("{a_label} {a:.3} | {b_label} {b:.3}"),
            ratio: Some(ratio),
            target,
            failure,
            json: json!({ "name": name, a_label: a, b_label: b, "ratio": ratio, "target_max": max.is_finite().then_some(max) }),
        }
    }

    /// A single measured value against a stated target.
    pub fn value(name: &str, value: f64, target: &str, detail: &str) -> Self {
        Row {
            name: name.into(),
            cells: format!("{value} ({detail})"),
            ratio: None,
            target: target.into(),
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
            failure: None,
            json: json!({ "name": name, "skipped": why }),
        }
    }

    pub fn fail(&mut self, why: &str) {
        self.failure = Some(why.into());
    }
}

#[derive(Default)]
pub struct Report {
    rows: Vec<Row>,
}

impl Report {
    pub fn push(&mut self, row: Row) {
        println!("  measured: {} -> {}", row.name, row.cells);
        self.rows.push(row);
    }

    pub fn failed(&self) -> bool {
        self.rows.iter().any(|r| r.failure.is_some())
    }

    pub fn print(&self) {
        println!("\n| measurement | values | ratio | target | verdict |");
        println!("|---|---|---|---|---|");
        for r in &self.rows {
            let ratio = r.ratio.map_or("-".into(), |x| format!("{x:.3}"));
            let verdict = match &r.failure {
                Some(why) => format!("MISSED: {why}"),
                None if r.target == "-" || r.target == "reported" => "-".into(),
                None => "met".into(),
            };
            println!(
                "| {} | {} | {} | {} | {} |",
                r.name, r.cells, ratio, r.target, verdict
            );
        }
    }

    pub fn json(&self) -> Vec<Value> {
        self.rows
            .iter()
            .map(|r| {
                let mut v = r.json.clone();
                v["missed"] = json!(r.failure);
                v
            })
            .collect()
    }
}
