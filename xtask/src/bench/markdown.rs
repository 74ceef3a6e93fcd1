//! `docs/benchmarks.md`, rendered from a run's `results.json` alone, so that
//! the published tables are exactly what one run measured.

use serde_json::Value;

/// The page for one run's results.
pub fn render(results: &Value) -> String {
    let mut out = String::new();
    out.push_str("# Benchmarks\n\n");
    out.push_str(
        "Written by `cargo xtask bench --markdown` from the `results.json` of one run \
         (`cargo xtask bench`); edit the bench, not this file. What each row measures \
         and why: [benchmarks-method.md](benchmarks-method.md). Earlier runs are in \
         the CHANGELOG.\n\n",
    );
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| "not recorded".into())
    };
    out.push_str(&format!(
        "- started: {}\n- machine: {}\n- load average before the run: {}\n- medians of {} runs{}\n\n",
        text(&results["started"]),
        text(&results["machine"]),
        text(&results["load_before"]),
        results["runs"],
        if results["quick"] == Value::Bool(true) {
            ", **quick sizes** (a smoke run, not the published figures)"
        } else {
            ""
        }
    ));

    let listing = &results["listing"];
    if let Some(clients) = listing["clients"].as_array().filter(|c| !c.is_empty()) {
        out.push_str("## Listing\n\n");
        out.push_str(&format!("{}\n\n", cell(&text(&listing["what"]))));
        out.push_str(
            "| client | wall (s) | CPU (s) | CPU per 1,000 payments (ms) | context switches per page |\n\
             |---|---|---|---|---|\n",
        );
        for c in clients {
            out.push_str(&format!(
                "| {} | {:.3} | {:.3} | {:.2} | {:.1} |\n",
                cell(&text(&c["client"])),
                num(&c["wall_seconds"]),
                num(&c["cpu_seconds"]),
                num(&c["cpu_ms_per_1000"]),
                num(&c["context_switches_per_page"]),
            ));
        }
        if let Some(notes) = listing["notes"].as_object() {
            for note in notes.values() {
                out.push_str(&format!("\n{}\n", text(&note["text"])));
            }
        }
        out.push('\n');
    }

    out.push_str("## Targets\n\n| measurement | values | ratio | target | verdict |\n|---|---|---|---|---|\n");
    for row in results["rows"].as_array().into_iter().flatten() {
        let ratio = row["ratio"]
            .as_f64()
            .map_or("-".into(), |r| format!("{r:.3}"));
        let verdict = match row["missed"].as_str() {
            Some(why) => format!("MISSED: {why}"),
            None if row["enforced"] == Value::Bool(false) => "-".into(),
            None => "met".into(),
        };
        let cells = match row["skipped"].as_str() {
            Some(why) => format!("skipped: {why}"),
            None => text(&row["cells"]),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&text(&row["name"])),
            cell(&cells),
            ratio,
            cell(&text(&row["target"])),
            cell(&verdict)
        ));
    }
    out
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// A table cell: a `|` or a line break in a measured text must not split it.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_rows_clients_and_verdicts() {
        let results = json!({
            "started": "2026-12-07T10:00:00Z", "machine": "2 CPUs", "runs": 5, "quick": false,
            "listing": {
                "what": "listing: 10 payments",
                "clients": [{"client": "facade", "wall_seconds": 0.5, "cpu_seconds": 0.25,
                             "cpu_ms_per_1000": 5.0, "context_switches_per_page": 1.0}],
                "notes": {"fake": {"text": "fake note", "value": 1}}
            },
            "rows": [
                {"name": "a / b", "cells": "a 1.000 / b 2.000", "ratio": 0.5, "target": "at most 1",
                 "enforced": true, "missed": null},
                {"name": "c", "cells": "x | y", "ratio": null, "target": "t", "enforced": true,
                 "missed": "too slow"},
                {"name": "peer", "skipped": "not installed", "target": "-", "enforced": false, "missed": null}
            ]
        });
        let page = render(&results);
        assert!(
            page.contains("| facade | 0.500 | 0.250 | 5.00 | 1.0 |"),
            "{page}"
        );
        assert!(page.contains("\nfake note\n"), "{page}");
        assert!(
            page.contains("| a / b | a 1.000 / b 2.000 | 0.500 | at most 1 | met |"),
            "{page}"
        );
        assert!(
            page.contains("| c | x \\| y | - | t | MISSED: too slow |"),
            "{page}"
        );
        assert!(
            page.contains("| peer | skipped: not installed | - | - | - |"),
            "{page}"
        );
        assert!(page.contains("- started: 2026-12-07T10:00:00Z"), "{page}");
        assert!(!page.contains("quick sizes"), "{page}");
    }
}
