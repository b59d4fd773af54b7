//! Shards: a deterministic partition of a registry's servers by name, so N
//! machines (a Kubernetes Indexed Job, say) each crawl one part and
//! `mcp-risk merge` joins their databases.
//!
//! A server belongs to shard `h mod N`, where `h` is the first 8 bytes of the
//! SHA-256 of its name (as stored), read big-endian. The partition depends on
//! nothing but the name and N: not on page order, the machine, or Rust's
//! randomised hasher. Each server lands in exactly one shard, and a rerun of
//! a shard picks the same servers, so it resumes the run it interrupted (the
//! run identity includes the shard: see [`Shard::run_key`]).
//!
//! Written `i/N` (0 ≤ i < N, the index counted from 0 like Kubernetes'
//! `JOB_COMPLETION_INDEX`), or `auto/N`, which takes `i` from
//! `JOB_COMPLETION_INDEX`.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// The environment variable Kubernetes sets in each pod of an Indexed Job.
pub const JOB_INDEX_ENV: &str = "JOB_COMPLETION_INDEX";

/// One part of N: servers whose name hashes to `index` mod `count`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// Why a `--shard` value was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("--shard wants i/N (e.g. 0/4, counted from 0) or auto/N, not {0:?}")]
    Syntax(String),
    #[error("--shard {index}/{count}: the index must be below the count (0 to {last})", last = count.saturating_sub(1))]
    OutOfRange { index: u64, count: u64 },
    #[error("--shard {0}: the count must be at least 1")]
    ZeroCount(String),
    #[error("--shard auto/{count}: {JOB_INDEX_ENV} is {value:?}, not a shard index (set it, or give the index: --shard 0/{count})")]
    NoJobIndex { count: u64, value: String },
}

/// The shard a server name belongs to among `count` shards.
pub fn shard_of(name: &str, count: u64) -> u64 {
    let d = Sha256::digest(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    u64::from_be_bytes(first) % count.max(1)
}

impl Shard {
    /// A checked shard.
    pub fn new(index: u64, count: u64) -> Result<Shard, ShardError> {
        if count == 0 {
            return Err(ShardError::ZeroCount(format!("{index}/{count}")));
        }
        if index >= count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// Parses `i/N` or `auto/N`; `job_index` is the value of
    /// [`JOB_INDEX_ENV`] for `auto` (None when unset).
    pub fn parse_with(text: &str, job_index: Option<&str>) -> Result<Shard, ShardError> {
        let syntax = || ShardError::Syntax(text.to_owned());
        let (i, n) = text.trim().split_once('/').ok_or_else(syntax)?;
        let count: u64 = n.trim().parse().map_err(|_| syntax())?;
        if count == 0 {
            return Err(ShardError::ZeroCount(text.to_owned()));
        }
        let index: u64 = if i.trim().eq_ignore_ascii_case("auto") {
            let v = job_index.unwrap_or("");
            v.trim().parse().map_err(|_| ShardError::NoJobIndex {
                count,
                value: v.to_owned(),
            })?
        } else {
            i.trim().parse().map_err(|_| syntax())?
        };
        Shard::new(index, count)
    }

    /// True when the server named `name` belongs to this shard.
    pub fn contains(&self, name: &str) -> bool {
        shard_of(name, self.count) == self.index
    }

    /// Keeps the items of this shard (`name` gives an item's server name).
    pub fn filter<T>(&self, items: Vec<T>, name: impl Fn(&T) -> &str) -> Vec<T> {
        items
            .into_iter()
            .filter(|t| self.contains(name(t)))
            .collect()
    }

    /// The run identity of this shard's crawl of `sources`: the sources plus
    /// `shard:i/N`, so shard 1's run never resumes shard 2's, nor an
    /// unsharded crawl of the same sources. `0/1` is the whole registry and
    /// keeps the sources' own identity.
    pub fn run_key(shard: Option<Shard>, sources: &[String]) -> Vec<String> {
        let mut keys = sources.to_vec();
        if let Some(s) = shard.filter(|s| s.count > 1) {
            keys.push(format!("shard:{s}"));
        }
        keys
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    /// `i/N`, or `auto/N` with the index from [`JOB_INDEX_ENV`].
    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let env = std::env::var(JOB_INDEX_ENV).ok();
        Shard::parse_with(s, env.as_deref())
    }
}

/// Keeps the items of `shard`, or all of them without one: the one call the
/// crawl and scan paths make, right after listing and de-duplicating the
/// sources' records and before any install.
pub fn apply<T>(shard: Option<Shard>, items: Vec<T>, name: impl Fn(&T) -> &str) -> Vec<T> {
    match shard {
        Some(s) => s.filter(items, name),
        None => items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_index_count_and_auto() {
        assert_eq!(
            Shard::parse_with("2/5", None),
            Ok(Shard { index: 2, count: 5 })
        );
        assert_eq!(
            Shard::parse_with("auto/5", Some("4")),
            Ok(Shard { index: 4, count: 5 })
        );
        assert_eq!(
            Shard::parse_with("5/5", None),
            Err(ShardError::OutOfRange { index: 5, count: 5 })
        );
        assert!(matches!(
            Shard::parse_with("auto/3", None),
            Err(ShardError::NoJobIndex { .. })
        ));
        assert!(matches!(
            Shard::parse_with("auto/3", Some("7")),
            Err(ShardError::OutOfRange { index: 7, count: 3 })
        ));
        assert!(matches!(
            Shard::parse_with("1/0", None),
            Err(ShardError::ZeroCount(_))
        ));
        for bad in ["", "3", "a/3", "1/b", "-1/3", "1/3/4"] {
            assert!(
                Shard::parse_with(bad, None).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    #[test]
    fn the_partition_is_stable_and_total() {
        // Pinned values: the hash must never change between releases, or a
        // rerun of a shard would pick other servers than the run it resumes.
        assert_eq!(
            shard_of("io.github.example/weather", 1000),
            shard_of("io.github.example/weather", 1000)
        );
        let h = u64::from_be_bytes(
            Sha256::digest(b"io.github.example/weather")[..8]
                .try_into()
                .unwrap(),
        );
        assert_eq!(shard_of("io.github.example/weather", 7), h % 7);
        let names: Vec<String> = (0..300).map(|i| format!("io.example/server-{i}")).collect();
        for n in [1u64, 2, 3, 8] {
            let mut seen = 0;
            let mut sizes = vec![0usize; n as usize];
            for i in 0..n {
                let part = Shard::new(i, n)
                    .unwrap()
                    .filter(names.clone(), |s| s.as_str());
                sizes[i as usize] = part.len();
                seen += part.len();
            }
            assert_eq!(
                seen,
                names.len(),
                "every server in exactly one of {n} shards"
            );
            // Roughly even: no shard gets less than half its share.
            assert!(
                sizes.iter().all(|&s| s * 2 * n as usize >= names.len()),
                "{sizes:?}"
            );
        }
        // Order of the input does not matter.
        let mut rev = names.clone();
        rev.reverse();
        let s = Shard::new(1, 3).unwrap();
        let mut a = s.filter(names, |x| x.as_str());
        let mut b = s.filter(rev, |x| x.as_str());
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }

    #[test]
    fn the_run_key_names_the_shard() {
        let src = vec!["official:http://x".to_owned()];
        assert_eq!(Shard::run_key(None, &src), src);
        assert_eq!(Shard::run_key(Some(Shard::new(0, 1).unwrap()), &src), src);
        let a = Shard::run_key(Some(Shard::new(1, 3).unwrap()), &src);
        let b = Shard::run_key(Some(Shard::new(2, 3).unwrap()), &src);
        assert_ne!(a, b);
        assert_eq!(a, ["official:http://x", "shard:1/3"]);
    }
}
