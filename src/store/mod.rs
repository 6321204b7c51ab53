//! The store: every query on agentdb's own tables (tenants, tenant configs, agents, threads,
//! messages, runs). Commands ask the store; they hold no SQL of their own.
pub mod erase;
