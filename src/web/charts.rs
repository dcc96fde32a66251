//! Small bar charts drawn on the server as SVG (plotters, no font library), for pages where
//! people would rather look than read. Each chart sits beside a table of the same figures, so
//! the picture is never the only way to the numbers; every bar has a dark outline so it stands
//! out from the page (WCAG 1.4.11), and colour is never the only label.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct Bar {
    pub label: String,
    pub value: i64,
    /// `#rrggbb`
    pub colour: &'static str,
}

const ROW: u32 = 40;
/// Room for the bars themselves, and for the value after the longest.
const BAR_ROOM: i32 = 300;
const VALUE_ROOM: i32 = 70;

/// Wide enough for the longest label at about 8px a character (the text is about 16px).
fn label_width(bars: &[Bar]) -> i32 {
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0) as i32;
    (longest * 8 + 24).clamp(80, 400)
}
const TEXT: RGBColor = RGBColor(0x21, 0x2b, 0x32);

fn rgb(hex: &str) -> RGBColor {
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    RGBColor(byte(1), byte(3), byte(5))
}

/// A horizontal bar chart, one row a bar: label, bar, value. `title` names the chart for
/// screen readers (the SVG is an image with that name).
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let height = ROW * bars.len().max(1) as u32 + 8;
    let mut svg = String::new();
    let drawn = draw(&mut svg, height, bars);
    if drawn.is_err() {
        // Nothing here can fail on a string backend; say so rather than show half a chart.
        return String::new();
    }
    let label = askama_escape(title);
    svg.replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{label}\" focusable=\"false\" class=\"dsr-chart\" "
        ),
        1,
    )
}

fn draw(svg: &mut String, height: u32, bars: &[Bar]) -> Result<(), Box<dyn std::error::Error>> {
    let label_width = label_width(bars);
    let width = (label_width + BAR_ROOM + VALUE_ROOM) as u32;
    let root = SVGBackend::with_string(svg, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let most = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let room = BAR_ROOM;
    // plotters shrinks the size it is given by 1.24² in SVG: 20 draws text at about 16px.
    let font = ("sans-serif", 20).into_font().color(&TEXT);
    for (i, bar) in bars.iter().enumerate() {
        let top = 4 + i as i32 * ROW as i32;
        let middle = top + ROW as i32 / 2;
        root.draw(&Text::new(
            bar.label.clone(),
            (label_width - 10, middle),
            font.clone().pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        let length = ((bar.value.max(0) as f64 / most) * room as f64).round() as i32;
        let (left, right) = (label_width, label_width + length.max(2));
        let (y0, y1) = (top + 6, top + ROW as i32 - 6);
        root.draw(&Rectangle::new(
            [(left, y0), (right, y1)],
            rgb(bar.colour).filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(left, y0), (right, y1)],
            TEXT.stroke_width(1),
        ))?;
        root.draw(&Text::new(
            bar.value.to_string(),
            (right + 8, middle),
            font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    root.present()?;
    Ok(())
}

fn askama_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_is_a_named_svg_with_every_label_and_value() {
        let svg = bars(
            "Register by rating",
            &[
                Bar {
                    label: "Red".into(),
                    value: 12,
                    colour: "#d5281b",
                },
                Bar {
                    label: "Amber".into(),
                    value: 30,
                    colour: "#ffb81c",
                },
                Bar {
                    label: "Green <new>".into(),
                    value: 0,
                    colour: "#007f3b",
                },
                Bar {
                    label: "Community C(E)TR or LAEP required (red)".into(),
                    value: 3,
                    colour: "#005eb8",
                },
            ],
        );
        let svg = svg.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            svg.starts_with("<svg role=\"img\" aria-label=\"Register by rating\""),
            "{svg}"
        );
        for text in [
            "> Red <",
            "> 12 <",
            "> Amber <",
            "> 30 <",
            "> 0 <",
            "> Green &lt;new&gt; <",
        ] {
            assert!(svg.contains(text), "{text} in {svg}");
        }
        assert!(
            svg.contains("#D5281B") || svg.contains("#d5281b"),
            "the bar's colour"
        );
        assert!(
            !svg.contains("style="),
            "no inline style (the pages' CSP refuses it)"
        );
        assert!(!svg.contains("<script"));
        assert!(
            svg.contains("width=\"706\""),
            "wide enough for the longest label (40 characters): {svg}"
        );
    }

    #[test]
    fn colours_come_from_hex() {
        assert_eq!(rgb("#d5281b"), RGBColor(0xd5, 0x28, 0x1b));
        assert_eq!(rgb("#zzzzzz"), RGBColor(0, 0, 0));
    }
}
