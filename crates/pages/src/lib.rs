//! Pages of a PDF as PNG images: what the customer sent, as it looks, for
//! the review screen beside the draft. Rendered by hayro (pure Rust).
//!
//! Rendering reads untrusted files: callers run it in a child process with
//! limits (`orderdesk page-worker`); here it is bounded by page size and
//! scale, and a panic inside the renderer is an error, not a crash.
//!
//! *Invariant:* pure (bytes in, bytes out), no IO.

use std::sync::Arc;

/// The largest page image side, in pixels (a poster-sized page is drawn smaller).
pub const MAX_SIDE: f32 = 2400.0;

/// A rendered page.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub png: Vec<u8>,
    pub width_px: u32,
    pub height_px: u32,
    /// The scale used: pixels per PDF point (a point is 1/72 inch).
    pub scale: f32,
    pub pages: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("the file is not a PDF that can be drawn")]
    Unreadable,
    #[error("the PDF has {pages} pages; page {asked} does not exist")]
    NoSuchPage { asked: usize, pages: usize },
    #[error("drawing the page failed inside the renderer")]
    Renderer,
    #[error("the page image cannot be written: {0}")]
    Encode(String),
}

/// Page `page` (1-based) of `pdf`, drawn `scale` pixels per point on white,
/// made smaller when a side would exceed [`MAX_SIDE`].
pub fn render(pdf: &[u8], page: usize, scale: f32) -> Result<Rendered, PageError> {
    let data = Arc::new(pdf.to_vec());
    let drawn = std::panic::catch_unwind(move || -> Result<Rendered, PageError> {
        let pdf = hayro::hayro_syntax::Pdf::new(data).map_err(|_| PageError::Unreadable)?;
        let pages = pdf.pages();
        let count = pages.len();
        let Some(p) = page.checked_sub(1).and_then(|i| pages.get(i)) else {
            return Err(PageError::NoSuchPage {
                asked: page,
                pages: count,
            });
        };
        let (w, h) = p.render_dimensions();
        let largest = w.max(h).max(1.0);
        let scale = scale.clamp(0.1, 4.0).min(MAX_SIDE / largest);
        let cache = hayro::RenderCache::new();
        let settings = hayro::hayro_interpret::InterpreterSettings::default();
        let pixmap = hayro::render(
            p,
            &cache,
            &settings,
            &hayro::RenderSettings {
                x_scale: scale,
                y_scale: scale,
                bg_color: hayro::vello_cpu::color::palette::css::WHITE,
                ..Default::default()
            },
        );
        let (width_px, height_px) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
        let png = pixmap.into_png().map_err(|e| PageError::Encode(e.to_string()))?;
        Ok(Rendered {
            png,
            width_px,
            height_px,
            scale,
            pages: count,
        })
    });
    drawn.unwrap_or(Err(PageError::Renderer))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVOICE: &[u8] = include_bytes!("../../document/tests/fixtures/invoice2data/AzureInterior.pdf");

    #[test]
    fn a_page_is_drawn_at_the_scale_asked() {
        let page = render(INVOICE, 1, 1.5).unwrap();
        assert!(page.png.starts_with(b"\x89PNG"));
        assert_eq!(page.pages, 1);
        // A4 is 595 × 842 points.
        assert_eq!((page.width_px, page.height_px), (892, 1263));
        assert_eq!(
            render(INVOICE, 2, 1.5),
            Err(PageError::NoSuchPage { asked: 2, pages: 1 })
        );
        assert!(render(INVOICE, 0, 1.5).is_err());
        // A huge scale is held to the largest side.
        let big = render(INVOICE, 1, 100.0).unwrap();
        assert!(big.width_px.max(big.height_px) as f32 <= MAX_SIDE + 1.0);
    }

    #[test]
    fn garbage_is_an_error_not_a_crash() {
        assert_eq!(render(b"not a pdf at all", 1, 1.5), Err(PageError::Unreadable));
        assert!(render(b"%PDF-1.7\n%%EOF", 1, 1.5).is_err());
        let mut cut = INVOICE.to_vec();
        cut.truncate(INVOICE.len() / 2);
        let _ = render(&cut, 1, 1.5);
    }
}
