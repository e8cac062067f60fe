//! A small page writer over printpdf: A4 pages, text measured with the
//! embedded font's advance widths, wrapping, rules and shaded bands.
//! Positions are in points from the top-left corner, as one reads a page;
//! the PDF's own origin (bottom left) is only known here.

use std::sync::OnceLock;

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    Rect, Rgb, TextItem,
};

pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
pub const LEFT: f32 = 56.0;
pub const RIGHT: f32 = PAGE_WIDTH - 48.0;

static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// The two faces, parsed once per process.
fn faces() -> &'static (ParsedFont, ParsedFont) {
    static FACES: OnceLock<(ParsedFont, ParsedFont)> = OnceLock::new();
    FACES.get_or_init(|| {
        let parse = |bytes: &[u8]| {
            // The fonts are part of the build; a failure here is a broken build.
            ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).expect("the embedded font parses")
        };
        (parse(REGULAR), parse(BOLD))
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub size: f32,
    pub bold: bool,
    /// Grey level, 0 black.
    pub grey: f32,
}

impl Style {
    pub const fn regular(size: f32) -> Style {
        Style {
            size,
            bold: false,
            grey: 0.0,
        }
    }

    pub const fn bold(size: f32) -> Style {
        Style {
            size,
            bold: true,
            grey: 0.0,
        }
    }

    pub const fn grey(size: f32) -> Style {
        Style {
            size,
            bold: false,
            grey: 0.38,
        }
    }
}

/// The width of `text` in points.
pub fn width(text: &str, style: Style) -> f32 {
    let (regular, bold) = faces();
    let face = if style.bold { bold } else { regular };
    let em = f32::from(face.units_per_em.max(1));
    let units: u32 = text
        .chars()
        .map(|c| {
            face.lookup_glyph_index(c as u32)
                .and_then(|g| face.get_glyph_width(g))
                .map_or(em as u32 / 2, u32::from)
        })
        .sum();
    units as f32 / em * style.size
}

/// `text` broken into lines of at most `max` points; a word longer than a
/// line is broken where it must be.
pub fn wrap(text: &str, style: Style, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, style) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if width(&line, style) > max && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        lines.push(line);
    }
    while lines.last().is_some_and(String::is_empty) && lines.len() > 1 {
        lines.pop();
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Pages being written.
pub struct Sheet {
    pub pages: Vec<Vec<Op>>,
    regular: FontId,
    bold: FontId,
    doc: PdfDocument,
}

fn grey(level: f32) -> Color {
    Color::Rgb(Rgb {
        r: level,
        g: level,
        b: level,
        icc_profile: None,
    })
}

fn at(x: f32, y: f32) -> Point {
    Point {
        x: Pt(x),
        y: Pt(PAGE_HEIGHT - y),
    }
}

impl Sheet {
    pub fn new(title: &str) -> Sheet {
        let mut doc = PdfDocument::new(title);
        let (regular, bold) = faces();
        let regular = doc.add_font(regular);
        let bold = doc.add_font(bold);
        Sheet {
            pages: vec![Vec::new()],
            regular,
            bold,
            doc,
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    fn ops(&mut self, page: usize) -> &mut Vec<Op> {
        let last = self.pages.len() - 1;
        &mut self.pages[page.min(last)]
    }

    /// Text with its baseline at `y`, starting at `x`, on page `page`.
    pub fn text_on(&mut self, page: usize, x: f32, y: f32, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        let font = if style.bold {
            self.bold.clone()
        } else {
            self.regular.clone()
        };
        let ops = self.ops(page);
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFillColor { col: grey(style.grey) });
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(font),
            size: Pt(style.size),
        });
        ops.push(Op::SetTextCursor { pos: at(x, y) });
        ops.push(Op::ShowText {
            items: vec![TextItem::Text(text.to_owned())],
        });
        ops.push(Op::EndTextSection);
    }

    /// Text on the current page.
    pub fn text(&mut self, x: f32, y: f32, text: &str, style: Style) {
        let page = self.pages.len() - 1;
        self.text_on(page, x, y, text, style);
    }

    /// Text ending at `right`.
    pub fn text_right(&mut self, right: f32, y: f32, text: &str, style: Style) {
        self.text(right - width(text, style), y, text, style);
    }

    /// A horizontal rule from `x1` to `x2` at `y`.
    pub fn rule(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, level: f32) {
        let page = self.pages.len() - 1;
        self.rule_on(page, x1, x2, y, thickness, level);
    }

    pub fn rule_on(&mut self, page: usize, x1: f32, x2: f32, y: f32, thickness: f32, level: f32) {
        let ops = self.ops(page);
        ops.push(Op::SetOutlineColor { col: grey(level) });
        ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: at(x1, y),
                        bezier: false,
                    },
                    LinePoint {
                        p: at(x2, y),
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
    }

    /// A filled band from `top` down `height` points.
    pub fn band(&mut self, x1: f32, x2: f32, top: f32, height: f32, level: f32) {
        let ops = self.ops(usize::MAX);
        ops.push(Op::SetFillColor { col: grey(level) });
        ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x1),
                y: Pt(PAGE_HEIGHT - top - height),
                width: Pt(x2 - x1),
                height: Pt(height),
                mode: Some(printpdf::PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    /// A PNG or JPEG fitted into `max_w` × `max_h` with its top right corner at (`right`, `top`).
    pub fn image_top_right(
        &mut self,
        bytes: &[u8],
        right: f32,
        top: f32,
        max_w: f32,
        max_h: f32,
    ) -> Result<(), String> {
        let mut warnings = Vec::new();
        let image = printpdf::RawImage::decode_from_bytes(bytes, &mut warnings)?;
        let (w, h) = (image.width.max(1) as f32, image.height.max(1) as f32);
        let scale = (max_w / w).min(max_h / h);
        let id = self.doc.add_image(&image);
        let ops = self.ops(0);
        ops.push(Op::UseXobject {
            id,
            transform: printpdf::XObjectTransform {
                translate_x: Some(Pt(right - w * scale)),
                translate_y: Some(Pt(PAGE_HEIGHT - top - h * scale)),
                scale_x: Some(scale),
                scale_y: Some(scale),
                // At 72 dpi a pixel is a point, so the scale is points per pixel.
                dpi: Some(72.0),
                ..Default::default()
            },
        });
        Ok(())
    }

    pub fn finish(mut self) -> Vec<u8> {
        let pages = std::mem::take(&mut self.pages)
            .into_iter()
            .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
            .collect();
        let mut warnings = Vec::new();
        self.doc
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_measured_and_wrapped_within_its_width() {
        let s = Style::regular(10.0);
        assert!(width("WWW", s) > width("iii", s) * 2.0);
        assert!((width("abc", Style::regular(20.0)) - 2.0 * width("abc", s)).abs() < 0.01);
        let lines = wrap(
            "Sechskantschraube DIN 933 M8x40 verzinkt, Festigkeitsklasse 8.8",
            s,
            120.0,
        );
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(lines.iter().all(|l| width(l, s) <= 120.0), "{lines:?}");
        let long = wrap("Artikelnummernbezeichnungsmonstrum", s, 40.0);
        assert!(long.len() > 2 && long.iter().all(|l| width(l, s) <= 40.0), "{long:?}");
        assert_eq!(wrap("", s, 50.0), vec![String::new()]);
    }
}
