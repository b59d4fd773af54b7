//! File names for pages: deterministic, collision-free, and safe on every
//! filesystem (Windows, macOS case-insensitive volumes, Linux).
//!
//! A slug is lowercase ASCII letters, digits and single dashes, at most
//! [`MAX_LEN`] characters before an optional `-xxxxxxxx` hash suffix, so people
//! can predict it and link to it: `list_issues`, `List Issues` and
//! `list-issues` all read `list-issues`. The suffix (eight hex digits of the
//! name's SHA-256) is added only when the plain slug cannot be used: it is
//! empty, reserved (`con`, `nul`, `com1`, our own `index`), or already taken by
//! another name of the same namespace (a real collision). Within a namespace
//! the result depends only on the set of names (never their order), and a
//! name whose plain slug nobody else claims keeps it across runs.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

/// Longest slug body before the hash suffix.
pub const MAX_LEN: usize = 60;

/// Names Windows refuses as file stems whatever the extension, plus the stems
/// our own layout uses (`index`).
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7",
    "com8", "com9", "lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    "conin$", "conout$", "index", "readme",
];

fn short_hash(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    hex::encode(&digest[..4])
}

/// The sanitised body of a slug and whether it is an exact image of `name`.
/// The index page's script recomputes this (see `site.js`, `plainSlug`):
/// ASCII letters and digits lowercased, every other run one dash, cut at
/// [`MAX_LEN`].
pub fn plain(name: &str) -> String {
    body(name).0
}

fn body(name: &str) -> (String, bool) {
    let mut out = String::with_capacity(name.len().min(MAX_LEN));
    let mut pending_dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    let mut truncated = false;
    if out.len() > MAX_LEN {
        out.truncate(MAX_LEN);
        while out.ends_with('-') {
            out.pop();
        }
        truncated = true;
    }
    let exact = !truncated && out == name;
    (out, exact)
}

/// The slug a name gets when nothing else competes for it: its plain body,
/// with a hash only when the body is empty or reserved.
pub fn slug(name: &str) -> String {
    let (body, _) = body(name);
    if body.is_empty() {
        format!("x-{}", short_hash(name))
    } else if RESERVED.contains(&body.as_str()) {
        format!("{body}-{}", short_hash(name))
    } else {
        body
    }
}

/// Assigns every name of one namespace (one directory) a distinct slug.
///
/// Names are processed in sorted order, so the result depends only on the set
/// of names, never on their order of arrival. A name that is already a clean
/// slug owns it; then each other name takes its plain slug if still free, and
/// only on a real collision a hashed one (re-hashed with a counter in the
/// astronomically rare case that collides too).
pub fn assign<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    let names: BTreeSet<&str> = names.into_iter().collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut out = BTreeMap::new();
    // Clean names first: they own their own spelling.
    let (clean, rest): (Vec<&str>, Vec<&str>) = names.iter().partition(|n| slug(n) == **n);
    // Then every other name: its plain slug when free, a hash otherwise.
    for n in clean {
        taken.insert(n.to_owned());
        out.insert(n.to_owned(), n.to_owned());
    }
    for n in rest {
        let mut s = slug(n);
        if taken.contains(&s) {
            let (b, _) = body(n);
            let b = if b.is_empty() { "x".to_owned() } else { b };
            s = format!("{b}-{}", short_hash(n));
            let mut i = 1u32;
            while taken.contains(&s) {
                s = format!("{b}-{}", short_hash(&format!("{n}\u{0}{i}")));
                i += 1;
            }
        }
        taken.insert(s.clone());
        out.insert(n.to_owned(), s);
    }
    out
}

/// [`assign`] for a namespace where one name may come more than once (two
/// tools of one server whose names print the same, such as the number 42
/// and the string "42"): one slug per entry, in order. A name's first entry
/// gets its [`assign`] slug, so unique names keep theirs; each later entry
/// gets that slug with `-2`, `-3`, ... (the next number no other slug has
/// taken). The result depends only on the list.
pub fn assign_each(names: &[&str]) -> Vec<String> {
    let base = assign(names.iter().copied());
    let mut taken: BTreeSet<String> = base.values().cloned().collect();
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    names
        .iter()
        .map(|n| {
            let count = seen.entry(n).or_insert(0);
            *count += 1;
            let b = &base[*n];
            if *count == 1 {
                return b.clone();
            }
            let mut k = *count;
            loop {
                let s = format!("{b}-{k}");
                if taken.insert(s.clone()) {
                    return s;
                }
                k += 1;
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_safe(s: &str) -> bool {
        !s.is_empty()
            && s.len() <= MAX_LEN + 9
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !RESERVED.contains(&s)
    }

    #[test]
    fn clean_names_keep_their_spelling() {
        assert_eq!(slug("github"), "github");
        assert_eq!(slug("list-issues"), "list-issues");
    }

    #[test]
    fn lossy_names_read_as_people_would_type_them() {
        assert_eq!(slug("Get_File"), "get-file");
        assert_eq!(slug("rotate_api_key"), "rotate-api-key");
        assert_eq!(slug("io.github.user/Server"), "io-github-user-server");
        assert_eq!(plain("__a__b__"), "a-b");
    }

    /// Only a real collision costs a hash, and the same set of names gives
    /// the same slugs on every run.
    #[test]
    fn hash_only_on_a_real_collision() {
        let one = assign(["rotate_api_key", "list_keys"]);
        assert_eq!(one["rotate_api_key"], "rotate-api-key");
        assert_eq!(one["list_keys"], "list-keys");
        let two = assign(["get_file", "Get-File", "get-file"]);
        assert_eq!(two["get-file"], "get-file", "the clean name owns it");
        assert!(two["get_file"].starts_with("get-file-"));
        assert!(two["Get-File"].starts_with("get-file-"));
        assert_ne!(two["get_file"], two["Get-File"]);
        let three = assign(["get_file", "Get-File"]);
        // Sorted order decides: "Get-File" < "get_file".
        assert_eq!(three["Get-File"], "get-file");
        assert!(three["get_file"].starts_with("get-file-"));
        assert_eq!(assign(["Get-File", "get_file"]), three);
    }

    #[test]
    fn reserved_and_empty_and_hostile() {
        for n in [
            "CON",
            "nul",
            "com1",
            "index",
            "",
            "???",
            "<script>",
            "../../etc/passwd",
            "a\u{202e}b",
            "名前",
            ".",
            "..",
            "-",
            "aux.txt",
        ] {
            let s = slug(n);
            assert!(is_safe(&s), "{n:?} -> {s:?}");
        }
        assert_ne!(slug("???"), slug("!!!"));
        assert_eq!(slug("CON").len(), "con-".len() + 8);
    }

    #[test]
    fn long_names_are_capped_and_distinct() {
        let a = "a".repeat(300);
        let b = format!("{}b", "a".repeat(299));
        assert!(is_safe(&slug(&a)));
        // Same 60-character body: told apart when they share a namespace.
        let both = assign([a.as_str(), b.as_str()]);
        assert_ne!(both[&a], both[&b]);
        assert!(both.values().all(|s| is_safe(s)));
    }

    #[test]
    fn assignment_is_collision_free_and_order_independent() {
        // The hashed slug "Get File" gets when "get-file" is taken, as a name.
        let h = assign(["Get File", "get-file"])["Get File"].clone();
        assert!(h.starts_with("get-file-"), "{h}");
        let names = [
            "Get File",
            h.as_str(),
            "get-file",
            "get_file",
            "GET-FILE",
            "x",
        ];
        let one = assign(names.iter().copied());
        let two = assign(names.iter().rev().copied());
        assert_eq!(one, two);
        let slugs: BTreeSet<&String> = one.values().collect();
        assert_eq!(slugs.len(), names.len());
        assert_eq!(one["get-file"], "get-file");
        assert_eq!(one[h.as_str()], h, "a clean name owns its spelling");
        assert!(one.values().all(|s| is_safe(s)));
    }

    /// Repeated names get one slug each: the first keeps the plain one, the
    /// later ones a number no other name's slug has; unique names are as
    /// [`assign`] gives them.
    #[test]
    fn repeated_names_get_a_slug_each() {
        let names = ["get_file", "42", "get_file", "get-file-2", "42", "get_file"];
        let each = assign_each(&names);
        assert_eq!(
            each,
            [
                "get-file",
                "42",
                "get-file-3",
                "get-file-2",
                "42-2",
                "get-file-4"
            ]
        );
        assert_eq!(assign_each(&names), each, "the same on every run");
        let unique = ["rotate_api_key", "list_keys", "Get File", "get-file"];
        let plain = assign(unique);
        assert_eq!(
            assign_each(&unique),
            unique.map(|n| plain[n].clone()).to_vec()
        );
    }
}
