//! How a stdio server is launched: argv directly (never a shell), a cleared
//! environment plus declared dummy values, a fresh temporary HOME, no network
//! (a new network namespace), its own process group and cheap rlimits.
