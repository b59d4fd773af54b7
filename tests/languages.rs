//! Descriptions written in French, Spanish, Portuguese, Italian and German:
//! a fixture of tools whose names carry no verb (the description decides),
//! classified blind, must land where the English translation would.

use mcp_risk::classify::{engine, Class};
use serde_json::Value;

#[test]
fn descriptions_in_other_languages_are_read_as_their_english_would_be() {
    let text = include_str!("fixtures/languages/tools.json");
    let tools: Value = serde_json::from_str(text).expect("fixture is JSON");
    // (tool, class its description says)
    let want = [
        ("fr_stock_articles", Class::Read),
        ("fr_fournisseurs", Class::Read),
        ("fr_entrepot", Class::Write),
        ("fr_tarifs", Class::Destructive),
        ("fr_grille_tarifaire", Class::Destructive),
        ("fr_inventaire", Class::Destructive),
        ("fr_ascii", Class::Read),
        ("fr_relance", Class::Write),
        ("es_pedidos", Class::Read),
        ("es_tarea", Class::Write),
        ("es_perfil", Class::Destructive),
        ("es_archivo", Class::Destructive),
        ("de_rechnungen", Class::Read),
        ("de_kunden", Class::Read),
        ("de_notiz", Class::Write),
        ("de_adresse", Class::Destructive),
        ("de_datei", Class::Destructive),
        ("it_ordini", Class::Read),
        ("pt_contato", Class::Write),
        // A read verb leads, a later sentence deletes: the deletion counts,
        // as "Shows the cache. Deletes the cache afterwards." does.
        ("fr_cache_navigateur", Class::Destructive),
        ("fr_journal", Class::Destructive),
        ("es_config", Class::Destructive),
        ("fr_etiquette", Class::Destructive),
        ("de_lager", Class::Read),
        ("es_etiquetas", Class::Destructive),
    ];
    let e = engine();
    let list = tools["tools"].as_array().expect("tools");
    assert_eq!(
        list.len(),
        want.len(),
        "every fixture tool has an expectation"
    );
    let mut wrong = Vec::new();
    for (name, class) in want {
        let tool = list
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name} not in the fixture"));
        let v = e.classify(tool, true);
        if v.class != class {
            wrong.push(format!(
                "{name}: {} (want {class}): {}",
                v.class, v.rationale
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // "définitivement" is the irreversible signal "permanently" is.
    let etiquette = list.iter().find(|t| t["name"] == "fr_etiquette").unwrap();
    let v = e.classify(etiquette, true);
    assert!(
        v.evidence
            .iter()
            .any(|ev| ev.rule == "lang-irreversible-phrase"),
        "{:?}",
        v.evidence
    );
}

/// Text in another language never lowers a verdict: a mutating English name
/// verb, a mutating verb listed after a read one, and a read word of another
/// language before an English verb in a name keep the mutating class.
#[test]
fn another_language_never_lowers_a_verdict() {
    let e = engine();
    let tool = |name: &str, desc: &str| serde_json::json!({"name": name, "description": desc, "inputSchema": {"type": "object"}});
    let table = [
        ("delete_invoice", "Récupère la facture.", Class::Destructive),
        (
            "x_fichiers",
            "Liste et supprime les fichiers.",
            Class::Destructive,
        ),
        (
            "x_dateien",
            "Sucht oder löscht Dateien.",
            Class::Destructive,
        ),
        ("liste_delete_all", "", Class::Destructive),
        ("busca_create", "Busca y crea un registro.", Class::Write),
        (
            "x_datos",
            "Muestra los datos. Elimina los datos antiguos.",
            Class::Destructive,
        ),
    ];
    for (name, desc, want) in table {
        let v = e.classify(&tool(name, desc), true);
        assert!(
            v.class >= want,
            "{name}: {desc}: {} ({})",
            v.class,
            v.rationale
        );
    }
}
