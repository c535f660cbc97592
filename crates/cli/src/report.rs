//! `discburn report FILE.json`: a burn record ([`crate::record`]) as text — what was
//! written where, how it ended, the speed and buffers along the disc in ten bands — and,
//! with `--svg OUT.svg` or `--png OUT.png`, as a graph of speed (x-factor) and buffer
//! fill against the position on the disc, as Nero DiscSpeed and ImgBurn's graph data show
//! a burn. The text is set in DejaVu Sans, built in (no system fonts needed).
//!
//! The record is a file from anywhere: it is read with a size limit, and every field is
//! optional to this reader — what is missing is left out of the report, never a panic.

use std::path::Path;

use discburn_cli::record_view::{bands, view, Point, MAX_RECORD_BYTES};
use plotters::coord::Shift;
use plotters::prelude::*;
use serde_json::Value;

use crate::exit::{self, Failure};

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
