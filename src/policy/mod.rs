//! Policies from verdicts: PolicyLayer `policy.json` v1, Intercept YAML, and
//! agent-client deny lists (Claude Code, Codex), graded by risk, with argument
//! guards where the schema allows a narrower rule.
