//! Descriptions written in French, Spanish, Portuguese, Italian and German:
//! a fixture of tools whose names carry no verb (the description decides),
//! classified blind, must land where the English translation would.

use mcp_risk::classify::{engine, Class};
use serde_json::Value;

/// Every tool of a fixture classified blind lands in its expected class
/// (and every tool has an expectation); the wrong ones are listed together.
fn assert_classes(list: &[Value], want: &[(&str, Class)]) {
    let e = engine();
    assert_eq!(
        list.len(),
        want.len(),
        "every fixture tool has an expectation"
    );
    let mut wrong = Vec::new();
    for &(name, class) in want {
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
}

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
    assert_classes(list, &want);
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

/// Descriptions in Russian, Japanese and Chinese (a fixture written for this
/// test): Russian is read word by word as the languages above; Japanese and
/// Chinese, which write no spaces, by the verb compounds of their first
/// sentence, the most severe deciding.
#[test]
fn russian_japanese_and_chinese_descriptions_are_read_as_their_english_would_be() {
    let text = include_str!("fixtures/languages/ru_ja_zh.json");
    let tools: Value = serde_json::from_str(text).expect("fixture is JSON");
    let want = [
        ("ru_zakazy", Class::Read),
        ("ru_sklad", Class::Read),
        // "Этот инструмент позволяет ..." is filler, as "This tool lets you".
        ("ru_zadachi", Class::Read),
        // `создаёт`: ё is read as е.
        ("ru_zametka", Class::Write),
        ("ru_rassylka", Class::Write),
        ("ru_profil", Class::Destructive),
        // "Создать или обновить": a list, the worst deciding.
        ("ru_spravochnik", Class::Destructive),
        ("ru_fajl", Class::Destructive),
        // A later sentence about the tool deletes: as in English.
        ("ru_korzina", Class::Destructive),
        // `выгрузить` (unload, download) is ambiguous, as `download`: never read.
        ("ru_otchet", Class::Write),
        // A noun phrase says nothing (as "Plan and balance details."): never read.
        ("ru_tarif", Class::Write),
        ("ja_torihiki", Class::Read),
        // A note in parentheses (`参照`, see) is no verb of the tool.
        ("ja_seikyusho", Class::Read),
        ("ja_memo", Class::Write),
        ("ja_tsuuchi", Class::Destructive),
        // Gets deleted items: a read and a delete compound, the safe side.
        ("ja_gomibako", Class::Destructive),
        // A negated read (`取得せず`) says nothing.
        ("ja_setsuzoku", Class::Write),
        // After "manage" (`管理`) a read compound says nothing.
        ("ja_kanri", Class::Write),
        ("zh_dingdan", Class::Read),
        ("zh_renwu", Class::Write),
        ("zh_xiangmu", Class::Destructive),
        ("zh_huancun", Class::Destructive),
        ("zh_chengyuan", Class::Write),
        // `部署记录`: deployment records, as `deploy_status` in a name.
        ("zh_fabu", Class::Read),
        // A delete in parentheses still counts.
        ("zh_jilu", Class::Destructive),
    ];
    let e = engine();
    let list = tools["tools"].as_array().expect("tools");
    assert_classes(list, &want);
    let find = |name: &str| list.iter().find(|t| t["name"] == name).unwrap();
    // A deletion is irreversible loss; a sent message is one.
    let v = e.classify(find("ru_fajl"), true);
    assert!(
        v.signals
            .iter()
            .any(|s| format!("{s:?}").contains("Irreversible")),
        "{:?}",
        v.signals
    );
    let v = e.classify(find("ru_rassylka"), true);
    assert!(
        v.signals
            .iter()
            .any(|s| format!("{s:?}").contains("External")),
        "{:?}",
        v.signals
    );
    // The rule that read a compound is named in the evidence.
    let v = e.classify(find("zh_dingdan"), true);
    assert!(
        v.evidence
            .iter()
            .any(|ev| ev.rule == "lang-cjk-read-verb" && ev.text == "查询"),
        "{:?}",
        v.evidence
    );
}

/// Russian, Japanese and Chinese never lower a verdict either: a foreign
/// read verb does only what an English read verb does in its place, text
/// mixing scripts keeps a mutating verb, and a Cyrillic letter hidden in an
/// English verb is still read as that verb.
#[test]
fn russian_japanese_and_chinese_never_lower_a_verdict() {
    let e = engine();
    let tool = |name: &str, title: &str, desc: &str| serde_json::json!({"name": name, "title": title, "description": desc, "inputSchema": {"type": "object"}});
    let table = [
        // The name's verb outranks the description's.
        ("delete_invoice", "", "Получить счёт.", Class::Destructive),
        ("delete_invoice", "", "請求書を取得", Class::Destructive),
        ("remove_member", "", "获取成员信息", Class::Destructive),
        // A list, in one script or mixed.
        (
            "x_files",
            "",
            "Показать и удалить файлы.",
            Class::Destructive,
        ),
        (
            "x_files",
            "",
            "Получить и delete файлы.",
            Class::Destructive,
        ),
        (
            "x_files",
            "",
            "Показать файлы; удалить старые.",
            Class::Destructive,
        ),
        ("x_files", "", "获取文件并删除", Class::Destructive),
        ("x_files", "", "ファイルを取得して削除", Class::Destructive),
        // An English verb among CJK text still counts.
        ("x_items", "", "delete 查询结果", Class::Destructive),
        // A later English sentence that deletes.
        (
            "x_repo",
            "",
            "Получить файл. Deletes the file afterwards.",
            Class::Destructive,
        ),
        // A read title does not talk a deleting description down.
        ("x_repo", "查看仓库", "删除仓库", Class::Destructive),
        (
            "x_repo",
            "Получить репозиторий",
            "Удаляет репозиторий",
            Class::Destructive,
        ),
        // A Cyrillic `е` inside an English verb: folded, still a delete.
        (
            "x_repo",
            "",
            "D\u{0435}lete the repository",
            Class::Destructive,
        ),
        (
            "x_repo",
            "",
            "Получить и d\u{0435}lete репозиторий",
            Class::Destructive,
        ),
        // Empty or useless descriptions stay write: never guessed read.
        ("x_data", "", "Данные.", Class::Write),
        ("x_data", "", "データ", Class::Write),
        ("x_data", "", "数据", Class::Write),
        ("x_data", "", "", Class::Write),
        // A read compound after "manage", negated, or only in a note.
        ("x_data", "", "数据管理，支持查询", Class::Write),
        ("x_data", "", "不读取任何数据", Class::Write),
        ("x_data", "", "データ (一覧を参照)", Class::Write),
    ];
    for (name, title, desc, want) in table {
        let v = e.classify(&tool(name, title, desc), true);
        assert!(
            v.class >= want,
            "{name}: {title} / {desc}: {} ({})",
            v.class,
            v.rationale
        );
    }
}
