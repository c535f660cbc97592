//! `discburn report FILE.json`: a burn record ([`crate::record`]) as text — what was
//! written where, how it ended, the speed and buffers along the disc in ten bands — and,
//! with `--svg OUT.svg` or `--png OUT.png`, as a graph of speed (x-factor) and buffer
//! fill against the position on the disc, as Nero DiscSpeed and ImgBurn's graph data show
//! a burn. The text is set in DejaVu Sans, built in (no system fonts needed).
//!
//! The record is a file from anywhere: it is read with a size limit, and every field is
//! optional to this reader — what is missing is left out of the report, never a panic.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::Value;

use crate::exit::{self, Failure};

/// A record holds at most ~2000 trace points; anything this big is not one.
const MAX_RECORD_BYTES: u64 = 16 << 20;

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

/// The graph's size in pixels.
const SIZE: (u32, u32) = (960, 540);

/// Registers the built-in font as plotters' "sans-serif", once.
fn font() -> Result<(), String> {
    static DONE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .is_ok()
    });
    ok.then_some(())
        .ok_or_else(|| "the built-in font cannot be read".to_string())
}

/// Draws the graph to `out`: a PNG picture, else SVG.
pub fn draw_file(trace: &[Point], title: &str, out: &Path, png: bool) -> Result<(), String> {
    font()?;
    if png {
        // Drawn in memory and encoded here: plotters' own encoder picks the format by the
        // file's extension.
        let mut rgb = vec![0u8; SIZE.0 as usize * SIZE.1 as usize * 3];
        draw(
            BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area(),
            trace,
            title,
        )?;
        let pic = image::RgbImage::from_raw(SIZE.0, SIZE.1, rgb)
            .ok_or_else(|| "the bitmap has the wrong size".to_string())?;
        let mut f = std::io::BufWriter::new(std::fs::File::create(out).map_err(|e| e.to_string())?);
        pic.write_to(&mut f, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        std::io::Write::flush(&mut f).map_err(|e| e.to_string())
    } else {
        draw(SVGBackend::new(out, SIZE).into_drawing_area(), trace, title)
    }
}

/// Draws speed (left axis) and buffer fills (right axis) against the LBA on `root`.
fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    trace: &[Point],
    title: &str,
) -> Result<(), String> {
    let max_lba = trace.iter().map(|p| p.lba).fold(1.0_f64, f64::max);
    let min_lba = trace.iter().map(|p| p.lba).fold(max_lba, f64::min).min(0.0);
    let max_x = trace
        .iter()
        .filter_map(|p| p.speed_x)
        .fold(1.0_f64, f64::max)
        * 1.1;
    let e = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .right_y_label_area_size(56)
        .build_cartesian_2d(min_lba..max_lba, 0.0..max_x)
        .map_err(|x| e(&x))?
        .set_secondary_coord(min_lba..max_lba, 0.0..100.0);
    chart
        .configure_mesh()
        .x_desc("position (LBA)")
        .y_desc("speed (x)")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()
        .map_err(|x| e(&x))?;
    chart
        .configure_secondary_axes()
        .y_desc("buffer fill (%)")
        .draw()
        .map_err(|x| e(&x))?;
    let series = |f: fn(&Point) -> Option<f64>| -> Vec<(f64, f64)> {
        trace.iter().filter_map(|p| Some((p.lba, f(p)?))).collect()
    };
    chart
        .draw_series(LineSeries::new(series(|p| p.speed_x), BLUE.stroke_width(2)))
        .map_err(|x| e(&x))?
        .label("speed (x)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLUE));
    chart
        .draw_secondary_series(LineSeries::new(series(|p| p.device), GREEN))
        .map_err(|x| e(&x))?
        .label("drive buffer (%)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], GREEN));
    chart
        .draw_secondary_series(LineSeries::new(series(|p| p.host), RED))
        .map_err(|x| e(&x))?
        .label("host buffer (%)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], RED));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))
}

/// `discburn report FILE.json [--svg OUT.svg] [--png OUT.png]`.
pub fn run(record: &Path, svg: Option<&Path>, png: Option<&Path>) -> Result<(), Failure> {
    let bad = |why: String| {
        Failure::new(exit::SOURCE, format!("{}: {why}", record.display()))
            .hint("Give a file `discburn write --record FILE.json` saved")
    };
    let meta = std::fs::metadata(record).map_err(|e| bad(e.to_string()))?;
    if meta.len() > MAX_RECORD_BYTES {
        return Err(bad(format!(
            "{} bytes, more than any burn record ({} MiB at most)",
            meta.len(),
            MAX_RECORD_BYTES >> 20
        )));
    }
    let bytes = std::fs::read(record).map_err(|e| bad(e.to_string()))?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| bad(format!("not JSON ({e})")))?;
    let v = view(&doc).map_err(bad)?;
    for l in &v.lines {
        println!("{l}");
    }
    let rows = bands(&v.trace);
    if !rows.is_empty() {
        println!("Along the disc ({} trace points):", v.trace.len());
        for r in rows {
            println!("{r}");
        }
    }
    for (out, is_png) in [(svg, false), (png, true)]
        .into_iter()
        .filter_map(|(o, p)| Some((o?, p)))
    {
        if v.trace.is_empty() {
            return Err(bad("it holds no trace to draw (nothing was written)".into()));
        }
        let title = doc
            .pointer("/source/label")
            .and_then(Value::as_str)
            .map_or_else(|| "burn".to_string(), |l| format!("burn of {l}"));
        draw_file(&v.trace, &title, out, is_png).map_err(|e| {
            Failure::new(exit::USAGE, format!("cannot draw {}: {e}", out.display()))
        })?;
        println!("Graph    {}", out.display());
    }
    Ok(())
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
