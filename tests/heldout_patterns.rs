//! Two patterns of held-out batch 6, on tools written for the test: a
//! generating tool whose parameter says where its result is stored, and an
//! operation selector with a `setup_*` value.

use mcp_risk::classify::{engine, Class};
use serde_json::json;

#[test]
fn a_generated_result_stored_to_a_target_is_at_least_write() {
    let e = engine();
    let stored = json!({
        "name": "generate_banner",
        "description": "Generate a banner image from a text prompt.",
        "inputSchema": {"type": "object", "properties": {
            "prompt": {"type": "string", "description": "What the banner shows."},
            "target": {"type": "object", "description": "Where to store the generated image.",
                "properties": {"asset_id": {"type": "string", "description": "ID to save the asset under."}}}
        }}
    });
    let v = e.classify(&stored, true);
    assert_eq!(v.class, Class::Write, "{}", v.rationale);
    assert!(v
        .evidence
        .iter()
        .any(|ev| ev.rule == "stores-result-via-parameter"));
    // Handed back, not stored: still read.
    let returned = json!({
        "name": "generate_banner",
        "description": "Generate a banner image from a text prompt.",
        "inputSchema": {"type": "object", "properties": {
            "prompt": {"type": "string", "description": "What the banner shows."},
            "format": {"type": "string", "description": "Output image format."}
        }}
    });
    assert_eq!(e.classify(&returned, true).class, Class::Read);
}

#[test]
fn a_setup_operation_is_at_least_write_and_a_trailing_setup_is_a_noun() {
    let e = engine();
    let system = json!({
        "name": "board_admin",
        "description": "Check the board's health or prepare it.",
        "inputSchema": {"type": "object", "properties": {
            "action": {"type": "string", "enum": ["health_check", "setup_board_columns"]}
        }}
    });
    let v = e.classify(&system, true);
    assert_eq!(v.class, Class::Write, "{}", v.rationale);
    // Last in a name, `setup` is what is checked, not an action.
    let check = json!({
        "name": "check_mail_setup",
        "description": "Check the mail settings.",
        "inputSchema": {"type": "object"}
    });
    assert_eq!(e.classify(&check, true).class, Class::Read);
}
