//! Renderers over verdicts: terminal table, frozen v1 JSON, SARIF 2.1.0, and
//! static pages. None re-derives a risk.

pub mod json;
pub mod pages;
pub mod sarif;
pub mod terminal;
