//! The SQLite store: schema and ordered migrations (by `user_version`), one
//! writer thread fed by a channel, and the queries the other stages read.
