//! Reading a burn record (`discburn write --record`) for `discburn report`: the lines of
//! its text view and the speed and buffer trace. The record is a file from anywhere: every
//! field is optional to this reader, and what is missing or of the wrong type is left
//! out — never a panic (property tests below, fuzz target `record_view`).

use serde_json::Value;

/// A record holds at most ~2000 trace points; anything this big is not one.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// One point of the trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Last LBA written.
    pub lba: f64,
    /// Speed, x-factor, where known.
    pub speed_x: Option<f64>,
    /// Drive buffer fill, percent.
    pub device: Option<f64>,
    /// Host buffer fill, percent.
    pub host: Option<f64>,
}

/// What the report shows of a record.
#[derive(Debug, Default)]
pub struct View {
    /// Lines of the header (source, drive, medium, result…).
    pub lines: Vec<String>,
    /// The trace, in order.
    pub trace: Vec<Point>,
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

fn text(v: &Value) -> Option<&str> {
    v.as_str()
}

/// Reads a record's view out of any JSON value: fields that are missing or of the
/// wrong type are left out.
pub fn view(doc: &Value) -> Result<View, String> {
    let Some(obj) = doc.as_object() else {
        return Err("it is not a JSON object".into());
    };
    if obj.get("record_version").and_then(Value::as_u64) != Some(1) {
        return Err("it has no \"record_version\": 1 (not a discburn burn record, or one of a newer discburn)".into());
    }
    let mut v = View::default();
    let g = |a: &str, b: &str| doc.get(a).and_then(|x| x.get(b)).unwrap_or(&Value::Null);
    if let Some(label) = text(g("source", "label")) {
        let sectors = g("source", "sectors").as_u64().unwrap_or(0);
        v.lines.push(format!(
            "Source   {label}, {sectors} sectors{}",
            text(g("source", "sha256")).map_or_else(String::new, |s| format!(", SHA-256 {s}"))
        ));
    }
    let drive: Vec<&str> = ["vendor", "product", "revision"]
        .iter()
        .filter_map(|k| text(g("drive", k)))
        .collect();
    if let Some(addr) = text(g("drive", "address")) {
        v.lines.push(format!(
            "Drive    {addr} ({}){}",
            drive.join(" "),
            text(g("drive", "serial")).map_or_else(String::new, |s| format!(", serial {s}"))
        ));
    }
    if let Some(p) = text(g("medium", "profile")) {
        v.lines.push(format!(
            "Medium   {p}{}",
            text(g("medium", "media_id")).map_or_else(String::new, |m| format!(", media ID {m}"))
        ));
    }
    if let (Some(first), Some(last)) = (g("lba", "first").as_u64(), g("lba", "last").as_u64()) {
        v.lines.push(format!("LBAs     {first}–{last}"));
    }
    if let Some(asked) = text(g("speed", "asked")) {
        v.lines.push(format!(
            "Speed    asked {asked}{}{}",
            g("speed", "drive_kbps")
                .as_u64()
                .map_or_else(String::new, |k| format!(", drive set {k} kB/s")),
            num(g("speed", "average_x")).map_or_else(String::new, |x| format!(", average {x:.2}x"))
        ));
    }
    let pct = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |x| format!("{x:.0}%"));
    if doc.get("buffer").is_some() {
        v.lines.push(format!(
            "Buffers  host min {}, drive min {}; {}",
            pct(num(g("buffer", "min_host_percent"))),
            pct(num(g("buffer", "min_device_percent"))),
            if g("buffer", "underrun_seen").as_bool() == Some(true) {
                "an underrun was seen"
            } else {
                "no underrun seen"
            }
        ));
    }
    if let Some(phases) = doc.get("phases").and_then(Value::as_array) {
        let p: Vec<String> = phases
            .iter()
            .filter_map(|p| {
                Some(format!(
                    "{} {:.1} s",
                    text(&p["phase"])?,
                    num(&p["seconds"])?
                ))
            })
            .collect();
        if !p.is_empty() {
            v.lines.push(format!("Phases   {}", p.join(", ")));
        }
    }
    if let Some(ok) = g("verify", "ok").as_bool() {
        let bad = g("verify", "bad").as_array().map_or(0, Vec::len);
        v.lines.push(if ok {
            format!(
                "Verify   OK, {} sectors",
                g("verify", "sectors").as_u64().unwrap_or(0)
            )
        } else {
            format!("Verify   FAILED, {bad} bad range(s)")
        });
    }
    match g("result", "ok").as_bool() {
        Some(true) => v.lines.push("Result   burned".into()),
        Some(false) => v.lines.push(format!(
            "Result   FAILED (exit {}): {}{}",
            g("result", "exit_code").as_u64().unwrap_or(0),
            text(g("result", "error")).unwrap_or("no message"),
            g("result", "last_written_lba")
                .as_i64()
                .map_or_else(String::new, |l| format!("; last LBA written {l}"))
        )),
        None => {}
    }
    if let Some(trace) = doc.get("trace").and_then(Value::as_array) {
        v.trace = trace
            .iter()
            .filter_map(|p| {
                Some(Point {
                    lba: num(&p["lba"])?,
                    speed_x: num(&p["speed_x"]),
                    device: num(&p["device_fill_percent"]).map(|x| x.clamp(0.0, 100.0)),
                    host: num(&p["host_fill_percent"]).map(|x| x.clamp(0.0, 100.0)),
                })
            })
            .collect();
    }
    Ok(v)
}

/// The trace in ten bands of the position: average speed and lowest fills in each.
pub fn bands(trace: &[Point]) -> Vec<String> {
    let (Some(first), Some(last)) = (trace.first(), trace.last()) else {
        return Vec::new();
    };
    let (lo, hi) = (first.lba.min(last.lba), first.lba.max(last.lba));
    let width = ((hi - lo) / 10.0).max(1.0);
    let mut rows = Vec::new();
    for b in 0..10 {
        let (from, to) = (lo + width * b as f64, lo + width * (b + 1) as f64);
        let pts: Vec<&Point> = trace
            .iter()
            .filter(|p| p.lba >= from && (p.lba < to || (b == 9 && p.lba <= hi)))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let speeds: Vec<f64> = pts.iter().filter_map(|p| p.speed_x).collect();
        let avg = (!speeds.is_empty()).then(|| speeds.iter().sum::<f64>() / speeds.len() as f64);
        let min = |f: fn(&Point) -> Option<f64>| {
            pts.iter()
                .filter_map(|p| f(p))
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))))
        };
        let pct = |x: Option<f64>| x.map_or_else(|| "   –".to_string(), |x| format!("{x:3.0}%"));
        rows.push(format!(
            "  LBA {:>9.0}–{:<9.0}  speed {:>6}  drive min {}  host min {}",
            from,
            to.min(hi),
            avg.map_or_else(|| "–".to_string(), |x| format!("{x:.1}x")),
            pct(min(|p| p.device)),
            pct(min(|p| p.host)),
        ));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            "[a-z_]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("record_version".to_string()),
                        Just("trace".to_string()),
                        Just("source".to_string()),
                        Just("result".to_string()),
                        Just("lba".to_string()),
                        Just("speed_x".to_string()),
                        "[a-z_]{1,10}"
                    ],
                    inner,
                    0..8
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_is_read_or_refused_without_a_panic(mut doc in arb_json(), versioned in any::<bool>()) {
            if versioned {
                if let Some(o) = doc.as_object_mut() {
                    o.insert("record_version".into(), 1.into());
                }
            }
            if let Ok(v) = view(&doc) {
                let _ = bands(&v.trace);
            }
        }

        #[test]
        fn any_bytes_are_refused_or_read_without_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            if let Ok(doc) = serde_json::from_slice::<Value>(&bytes) {
                if let Ok(v) = view(&doc) {
                    let _ = bands(&v.trace);
                }
            }
        }
    }

    #[test]
    fn ten_bands_cover_the_trace_with_each_bands_minimum() {
        let trace: Vec<Point> = (0..100)
            .map(|i| Point {
                lba: f64::from(i * 10),
                speed_x: Some(4.0),
                device: Some(if i == 55 { 12.0 } else { 90.0 }),
                host: None,
            })
            .collect();
        let rows = bands(&trace);
        assert_eq!(rows.len(), 10, "{rows:?}");
        assert!(rows[5].contains("drive min  12%"), "{}", rows[5]);
        assert!(rows[4].contains("drive min  90%"), "{}", rows[4]);
        assert!(rows.iter().all(|r| r.contains("speed   4.0x")), "{rows:?}");
    }
}
