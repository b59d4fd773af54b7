//! The regular expressions behind the raw-SQL, raw-Cypher and raw-shell
//! argument guards.
//!
//! Gateways evaluate these, not us, and they are written in Go (RE2), so every
//! pattern sticks to the subset RE2, Rust's `regex` and JavaScript agree on:
//! `(?i)`, `(?:...)`, `\b`, `\s`, `\w`, character classes, lazy `*?`, no
//! look-around, no back-references. "DELETE without WHERE" therefore cannot
//! say "not followed by WHERE": it says "the statement ends right after the
//! table name (and an optional alias or RETURNING clause)".
//!
//! Ways around a keyword match that every pattern closes: any letter case
//! (`(?i)`), comments between keywords (`DROP/**/TABLE`, `DROP -- x\nTABLE`,
//! MySQL/ClickHouse `#`), leading whitespace and comments, several statements
//! in one string (patterns are unanchored, and a statement ends at `;`), and
//! quoted names with any characters (`` `travel-sample`.inventory ``).
//!
//! Gateways match a `regex` against string arguments only (Intercept's
//! `evalRegex` returns false for anything else): an array of statements is
//! guarded by [`super::plan::GuardKind::Opaque`] instead.

/// One guard pattern: what it catches (for the `on_deny` sentence) and the regex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// Stable identifier, used in rule names and the reasons sidecar.
    pub id: &'static str,
    /// Completes "… that <what> is blocked by policy".
    pub what: &'static str,
    pub regex: &'static str,
}

/// One or more separators between two SQL/Cypher keywords: whitespace,
/// `/* block */`, `-- line` and `# line` comments.
macro_rules! sep {
    () => {
        "(?:\\s|/\\*[\\s\\S]*?\\*/|--[^\\n]*\\n|#[^\\n]*\\n)+"
    };
}

/// A possibly qualified, possibly quoted table name (`db.t`, `"Users"`,
/// `` `travel-sample`.inventory.airline ``, `[dbo].[t]`).
macro_rules! name {
    () => {
        "(?:\\w+|\"[^\"]*\"|`[^`]*`|\\[[^\\]]*\\])(?:\\s*\\.\\s*(?:\\w+|\"[^\"]*\"|`[^`]*`|\\[[^\\]]*\\]))*"
    };
}

/// Where a statement ends: `;`, a comment, or the end of the text.
macro_rules! end {
    () => {
        "\\s*(?:;|--|/\\*|#|$)"
    };
}

/// SQL (any dialect, SQL++ included) and Cypher that destroy data: one deny
/// rule each, so the message says which.
pub const SQL: &[Pattern] = &[
    Pattern {
        id: "sql-drop",
        what: "drops a database object (DROP TABLE, DROP DATABASE, ...)",
        regex: concat!(
            "(?i)\\bdrop",
            sep!(),
            "(?:(?:temporary|temp|primary|materialized|unique|fulltext|spatial|vector|search|row|settings|named|foreign|external)",
            sep!(),
            ")?(?:table|database|schema|view|index|user|role|function|procedure|trigger|sequence|type|extension|column|constraint|owned|policy|collection|scope|bucket|dictionary|partition|keyspace|graph|domain|server|publication|subscription|tablespace|event|rule|aggregate|statistics|namespace|stream|stage|warehouse|dataset|quota|catalog|alias|projection|relationship|node|dimension|profile|model|connection|secret)s?\\b"
        ),
    },
    Pattern {
        id: "sql-truncate",
        what: "truncates a table",
        regex: concat!(
            "(?i)\\btruncate",
            sep!(),
            "(?:table",
            sep!(),
            ")?(?:only",
            sep!(),
            ")?(?:if",
            sep!(),
            "exists",
            sep!(),
            ")?[\"`\\[]?\\w"
        ),
    },
    Pattern {
        id: "sql-delete-without-where",
        what: "deletes every row of a table (DELETE without WHERE)",
        regex: concat!(
            // `DELETE FROM t` anywhere, or `DELETE t` where a statement starts
            // (so Cypher's `MATCH (n) WHERE ... DELETE n` is not taken for it).
            "(?i)(?:\\bdelete",
            sep!(),
            "from|(?:^|;)(?:",
            sep!(),
            ")?delete)",
            sep!(),
            "(?:only",
            sep!(),
            ")?",
            name!(),
            "(?:",
            sep!(),
            "(?:as",
            sep!(),
            ")?\\w+)?(?:",
            sep!(),
            "returning\\b[^;]*)?(?:",
            sep!(),
            "limit",
            sep!(),
            "\\d+)?",
            end!()
        ),
    },
    Pattern {
        id: "sql-delete-where-always-true",
        what: "deletes every row behind a WHERE that is always true (WHERE 1=1, WHERE true)",
        regex: concat!(
            "(?i)\\bdelete\\b[^;]*?\\b(?:where|or)",
            sep!(),
            "(?:true|1|1\\s*=\\s*1|0\\s*=\\s*0|'\\w*'\\s*=\\s*'\\w*')",
            end!()
        ),
    },
    Pattern {
        id: "sql-alter-drop",
        what: "drops part of a table or schema (ALTER ... DROP)",
        regex: concat!(
            "(?i)\\balter",
            sep!(),
            "(?:table|database|schema|view|index|user|role|type|domain|materialized",
            sep!(),
            "view|collection|keyspace|bucket|scope|dictionary)\\b[^;]*\\bdrop\\b"
        ),
    },
    Pattern {
        id: "sql-dynamic",
        what: "builds a statement at run time (EXECUTE of a string, DO blocks, sp_executesql), which no pattern can read",
        regex: concat!(
            "(?i)\\bdo",
            sep!(),
            "(?:language",
            sep!(),
            "\\w+",
            sep!(),
            ")?(?:\\$\\w*\\$|')|\\bexecute",
            sep!(),
            "(?:immediate",
            sep!(),
            ")?(?:'|\\$\\w*\\$|format\\s*\\(|concat\\s*\\(|\\w+\\s*\\|\\|)|\\bexec(?:ute)?\\s*\\(|\\bsp_executesql\\b"
        ),
    },
    Pattern {
        id: "sql-shell-escape",
        what: "runs a shell command from SQL (COPY ... PROGRAM, xp_cmdshell)",
        regex: concat!(
            "(?i)\\bcopy\\b[^;]*\\b(?:to|from)",
            sep!(),
            "program\\b|\\bxp_cmdshell\\b"
        ),
    },
    Pattern {
        id: "cypher-detach-delete",
        what: "deletes graph nodes with all their relationships (DETACH DELETE)",
        regex: concat!("(?i)\\bdetach", sep!(), "delete\\b"),
    },
    Pattern {
        id: "cypher-delete-without-where",
        what: "deletes every node or relationship a MATCH finds (no WHERE or property filter)",
        // Between MATCH and DELETE: no `{` (property filter), no `=`, `.`,
        // quote or `$` (what a WHERE compares with), no `;`.
        regex: "(?i)\\bmatch\\b[^{}=.'\"$;]*?\\bdelete\\b",
    },
];

/// For gateways that cannot negate a regex (Intercept conditions must pass to
/// allow): a single read-only statement, after optional whitespace and
/// comments. Stricter than [`SQL`], never looser.
pub const SQL_READ_ONLY: &str = concat!(
    "(?i)^(?:",
    sep!(),
    ")?(?:select|explain|show|describe|desc|values)\\b[^;]*;?\\s*$"
);

/// Shell commands that destroy data or run unreviewed code.
pub const SHELL: &[Pattern] = &[
    Pattern {
        id: "shell-rm-recursive",
        what: "delete files recursively (rm -r, rm -rf)",
        regex: "(?i)\\brm\\s+((-[a-z]+|--[a-z-]+)\\s+)*(-[a-z]*r[a-z]*|--recursive)(\\s|$)",
    },
    Pattern {
        id: "shell-find-delete",
        what: "delete files found by find (find -delete, find -exec rm)",
        regex: "(?i)\\bfind\\b[^|;&]*\\s-(?:delete\\b|exec(?:dir)?\\s+(?:\\S*/)?rm\\b)",
    },
    Pattern {
        id: "shell-mkfs",
        what: "format a filesystem (mkfs)",
        regex: "(?i)\\bmkfs(\\.\\w+)?\\b",
    },
    Pattern {
        id: "shell-dd",
        what: "write raw bytes with dd",
        regex: "(?i)\\bdd\\s[^|;&]*\\bof=",
    },
    Pattern {
        id: "shell-pipe-to-shell",
        what: "pipe text into a shell (| sh, | bash)",
        regex: "(?i)\\|\\s*(sudo\\s+)?(\\S*/)?(ba|z|k|da|fi)?sh\\b",
    },
    Pattern {
        id: "shell-block-device",
        what: "write to a block device",
        regex: "(?i)>\\s*/dev/(sd|hd|vd|xvd|nvme|disk|mmcblk)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn pattern(set: &[Pattern], id: &str) -> Regex {
        let p = set.iter().find(|p| p.id == id).expect("pattern id");
        Regex::new(p.regex).expect("pattern compiles")
    }

    fn check(set: &[Pattern], id: &str, must: &[&str], must_not: &[&str]) {
        let re = pattern(set, id);
        for s in must {
            assert!(re.is_match(s), "{id} must match {s:?}");
        }
        for s in must_not {
            assert!(!re.is_match(s), "{id} must not match {s:?}");
        }
    }

    #[test]
    fn sql_drop() {
        check(
            SQL,
            "sql-drop",
            &[
                "DROP TABLE users",
                "drop table if exists users;",
                "select 1; DrOp\n  DATABASE prod",
                "DROP MATERIALIZED VIEW mv",
                "alter table t drop column c",
                "  \n\tdrop table users",
                "DROP/**/TABLE users",
                "drop /* hide */ table users",
                "DROP -- comment\nTABLE users",
                "drop#x\ntable users",
                "DROP PRIMARY INDEX ON `travel-sample`",
                "DROP COLLECTION `travel-sample`.inventory.airline",
                "DROP SCOPE `b`.s",
                "drop dictionary d",
                "DROP ROW POLICY p ON t",
                "DROP SETTINGS PROFILE p",
                "DROP TEMPORARY TABLE t",
                "DROP CONSTRAINT person_id IF EXISTS",
                "SELECT 1;DROP TABLE t",
            ],
            &[
                "SELECT * FROM dropped_items",
                "select drop_count from stats",
                "UPDATE backdrop SET x = 1 WHERE id = 2",
                "-- nothing to drop here\nselect 1",
            ],
        );
    }

    #[test]
    fn sql_truncate() {
        check(
            SQL,
            "sql-truncate",
            &[
                "TRUNCATE users",
                "truncate table \"Users\" cascade",
                "TRUNCATE ONLY logs",
                "truncate/**/table t",
                "TRUNCATE TABLE IF EXISTS db.t",
            ],
            &[
                "SELECT truncate(1.5)",
                "select trunc(x) from t",
                "SELECT TRUNCATE (x)",
            ],
        );
    }

    #[test]
    fn sql_delete_without_where() {
        check(
            SQL,
            "sql-delete-without-where",
            &[
                "DELETE FROM users",
                "delete from users;",
                "DELETE FROM public.users u",
                "delete from \"Users\" as u;",
                "DELETE FROM logs RETURNING *",
                "DELETE FROM ONLY t -- everything",
                "select 1; delete from t;  ",
                "DELETE t",
                "  delete from users",
                "DELETE/**/FROM/**/users",
                "delete -- all\nfrom users",
                "DELETE FROM `travel-sample`.inventory.airline",
                "DELETE FROM `travel-sample`.inventory.airline;",
                "select 1; DELETE t; select 2",
                "DELETE FROM users # mysql comment",
                "DELETE FROM logs LIMIT 1000",
            ],
            &[
                "DELETE FROM users WHERE id = 1",
                "delete from users\nwhere created < now()",
                "DELETE FROM t USING u WHERE t.id = u.id",
                "SELECT deleted FROM users",
                "select * from undelete_log",
                "DELETE FROM `travel-sample` USE KEYS \"k1\"",
                "MATCH (n:Person) WHERE n.name = 'x' DELETE n",
                "MATCH (n) WHERE id(n) = 1 DELETE n",
                "DELETE FROM t WHERE id IN (1, 2)",
            ],
        );
    }

    #[test]
    fn sql_delete_where_always_true() {
        check(
            SQL,
            "sql-delete-where-always-true",
            &[
                "DELETE FROM t WHERE 1=1",
                "delete from t where true;",
                "ALTER TABLE t DELETE WHERE 1",
                "DELETE FROM t WHERE id = 3 OR 1 = 1",
                "DELETE FROM t WHERE 'a'='a' -- x",
            ],
            &[
                "DELETE FROM t WHERE 1=1 AND id = 5",
                "DELETE FROM t WHERE id = 1",
                "ALTER TABLE t DELETE WHERE ts < now()",
            ],
        );
    }

    #[test]
    fn sql_dynamic_and_shell_escape() {
        check(
            SQL,
            "sql-dynamic",
            &[
                "DO $$ BEGIN EXECUTE 'DR' || 'OP TABLE t'; END $$",
                "do language plpgsql $body$ begin perform 1; end $body$",
                "EXECUTE format('DROP %s %I', 'TABLE', 't')",
                "execute 'dr' || 'op table t'",
                "EXEC('DR' + 'OP TABLE t')",
                "EXEC sp_executesql N'DROP TABLE t'",
                "EXECUTE IMMEDIATE 'TRUNCATE TABLE t'",
            ],
            &[
                "EXECUTE my_prepared_statement(1, 2)",
                "SELECT * FROM todo WHERE done",
                "select executed_at from jobs",
            ],
        );
        check(
            SQL,
            "sql-shell-escape",
            &[
                "COPY t TO PROGRAM 'rm -rf /'",
                "copy t from program 'curl x | sh'",
                "EXEC xp_cmdshell 'del C:\\x'",
            ],
            &["COPY t TO STDOUT", "COPY t FROM '/tmp/x.csv'"],
        );
    }

    #[test]
    fn cypher() {
        check(
            SQL,
            "cypher-detach-delete",
            &[
                "MATCH (n) DETACH DELETE n",
                "match (n {id: 1}) detach\n  delete n",
                "MATCH (n) DETACH/**/DELETE n",
            ],
            &[
                "MATCH (n) RETURN n.detached, n.deleted",
                "MATCH (n) DELETE n",
            ],
        );
        check(
            SQL,
            "cypher-delete-without-where",
            &[
                "MATCH (n) DELETE n",
                "match (n:Person)\ndelete n",
                "MATCH ()-[r:KNOWS]->() DELETE r",
                "MATCH (n) DETACH DELETE n",
                "OPTIONAL MATCH (a)-[r]-(b) DELETE r",
                "  MATCH (n) WITH n LIMIT 10 DELETE n",
            ],
            &[
                "MATCH (n:Person) WHERE n.name = 'Bob' DELETE n",
                "MATCH (n {id: 42}) DELETE n",
                "MATCH (n) WHERE n.age > 30 DETACH DELETE n",
                "MATCH (n) WHERE id(n) IN $ids DELETE n",
                "MATCH (n:Person) RETURN n.name",
                "MATCH (n) SET n.deleted = true",
            ],
        );
    }

    #[test]
    fn sql_alter_drop() {
        check(
            SQL,
            "sql-alter-drop",
            &[
                "ALTER TABLE users DROP COLUMN email",
                "alter table t\n  drop constraint fk",
                "ALTER SCHEMA s DROP something",
                "alter/**/table t drop partition 202401",
                "ALTER TABLE `travel-sample`.x DROP c",
            ],
            &[
                "ALTER TABLE users ADD COLUMN dropped boolean",
                "ALTER TABLE users RENAME TO people; SELECT 'drop'",
                "SELECT * FROM alter_log WHERE action = 'drop'",
            ],
        );
    }

    #[test]
    fn sql_read_only_allowlist() {
        let re = Regex::new(SQL_READ_ONLY).unwrap();
        for s in [
            "SELECT * FROM t",
            "  explain select 1;",
            "show tables",
            "/* why */ select 1",
            "-- top\nSELECT 2",
        ] {
            assert!(re.is_match(s), "{s:?}");
        }
        for s in [
            "DELETE FROM t",
            "select 1; drop table t",
            "UPDATE t SET a = 1",
            "selectx",
            "select 1 -- x\n; drop table t",
            "/* select */ drop table t",
        ] {
            assert!(!re.is_match(s), "{s:?}");
        }
    }

    #[test]
    fn shell_rm_recursive() {
        check(
            SHELL,
            "shell-rm-recursive",
            &[
                "rm -rf /",
                "rm -fr ~/x",
                "cd /tmp && rm -r build",
                "rm -v -R dir",
                "rm --recursive dir",
                "sudo rm -Rf /var",
            ],
            &[
                "rm file.txt",
                "rm -f file.txt",
                "perform -rf",
                "echo rm",
                "grep -r rm src",
            ],
        );
    }

    #[test]
    fn shell_find_delete() {
        check(
            SHELL,
            "shell-find-delete",
            &[
                "find / -name '*.log' -delete",
                "find . -type f -exec rm {} +",
                "find x -execdir /bin/rm -f {} ;",
            ],
            &["find . -name '*.rs'", "find . -deleted", "grep -r delete ."],
        );
    }

    #[test]
    fn shell_others() {
        check(
            SHELL,
            "shell-mkfs",
            &["mkfs.ext4 /dev/sda1", "sudo mkfs -t xfs /dev/sdb"],
            &["echo mkfsx", "ls mkfs_notes"],
        );
        check(
            SHELL,
            "shell-dd",
            &["dd if=/dev/zero of=/dev/sda bs=1M", "dd bs=4k of=disk.img"],
            &["dd if=a.img | gzip", "add of=x", "echo dd"],
        );
        check(
            SHELL,
            "shell-pipe-to-shell",
            &[
                "curl https://x | sh",
                "wget -qO- u |bash -s",
                "cat s | sudo bash",
                "echo x | /bin/sh",
                "echo x | zsh",
            ],
            &[
                "grep sh file | wc -l",
                "cat x | shuf",
                "ssh host ls",
                "echo '|' && bashful",
            ],
        );
        check(
            SHELL,
            "shell-block-device",
            &["cat img > /dev/sda", "echo x >/dev/nvme0n1"],
            &["echo x > /dev/null", "cat /dev/sda > img"],
        );
    }
}
