//! The regular expressions behind the raw-SQL and raw-shell argument guards.
//!
//! Gateways evaluate these, not us, and they are written in Go (RE2), so every
//! pattern sticks to the subset RE2, Rust's `regex` and JavaScript agree on:
//! `(?i)`, `\b`, `\s`, `\w`, character classes, no look-around, no
//! back-references. "DELETE without WHERE" therefore cannot say "not followed
//! by WHERE": it says "the statement ends right after the table name (and an
//! optional alias or RETURNING clause)".

/// One guard pattern: what it catches (for the `on_deny` sentence) and the regex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// Stable identifier, used in rule names and the reasons sidecar.
    pub id: &'static str,
    /// Completes "… that <what> is blocked by policy".
    pub what: &'static str,
    pub regex: &'static str,
}

/// SQL that destroys data: one deny rule each, so the message says which.
pub const SQL: &[Pattern] = &[
    Pattern {
        id: "sql-drop",
        what: "drops a database object (DROP TABLE, DROP DATABASE, ...)",
        regex: concat!(
            "(?i)\\bdrop\\s+(",
            "table|database|schema|view|materialized\\s+view|index|user|role|function|procedure|trigger|sequence|type|extension|column|constraint|owned|policy|collection",
            ")\\b"
        ),
    },
    Pattern {
        id: "sql-truncate",
        what: "truncates a table",
        regex: "(?i)\\btruncate\\s+(table\\s+)?(only\\s+)?[\"`\\[]?\\w",
    },
    Pattern {
        id: "sql-delete-without-where",
        what: "deletes every row of a table (DELETE without WHERE)",
        regex: "(?i)\\bdelete\\s+(from\\s+)?(only\\s+)?[\\w.\"`\\[\\]]+(\\s+(as\\s+)?\\w+)?(\\s+returning\\b[^;]*)?\\s*(;|--|/\\*|$)",
    },
    Pattern {
        id: "sql-alter-drop",
        what: "drops part of a table or schema (ALTER ... DROP)",
        regex: "(?i)\\balter\\s+(table|database|schema|view|index|user|role|type|domain|materialized\\s+view)\\b[^;]*\\bdrop\\b",
    },
];

/// For gateways that cannot negate a regex (Intercept conditions must pass to
/// allow): a single read-only statement. Stricter than [`SQL`], never looser.
pub const SQL_READ_ONLY: &str =
    "(?i)^\\s*(select|explain|show|describe|desc|values)\\b[^;]*;?\\s*$";

/// Shell commands that destroy data or run unreviewed code.
pub const SHELL: &[Pattern] = &[
    Pattern {
        id: "shell-rm-recursive",
        what: "delete files recursively (rm -r, rm -rf)",
        regex: "(?i)\\brm\\s+((-[a-z]+|--[a-z-]+)\\s+)*(-[a-z]*r[a-z]*|--recursive)(\\s|$)",
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
            ],
            &[
                "DELETE FROM users WHERE id = 1",
                "delete from users\nwhere created < now()",
                "DELETE FROM t USING u WHERE t.id = u.id",
                "SELECT deleted FROM users",
                "select * from undelete_log",
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
        for s in ["SELECT * FROM t", "  explain select 1;", "show tables"] {
            assert!(re.is_match(s), "{s:?}");
        }
        for s in [
            "DELETE FROM t",
            "select 1; drop table t",
            "UPDATE t SET a = 1",
            "selectx",
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
