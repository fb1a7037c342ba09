//! The job lifecycle: one home for the state machine every job goes through.
//!
//! ```text
//!  submit_job ──► Queued ──(a later block: on_initialize)──► Committing ──(all committed,
//!      │            │                                          │  or the window ends)
//!      │       cancel_job                      silent providers│replaced (once per window)
//!      │            ▼                                          ▼
//!      │        Cancelled                                  Revealing ──(all revealed, or
//!      │                                                       │  the window ends)
//!      │                                                       ▼
//!      │                                                     tally ──► unanimous: Settled
//!      │                                                       │  ──► first round split:
//!      │                                                       │      escalation (round 1,
//!      │                                                       │      back to Committing)
//!      └─ no providers / no time ──► Failed ◄── no decision ───┘  ──► supermajority: Settled
//! ```
//!
//! Calls go one way. The dispatchables and hooks in `lib.rs` call in here; this module calls
//! the pure helpers ([`crate::draw`] for drawing providers, [`crate::tally`] for agreement and
//! the decision) and the money side ([`crate::funds`]: escrow, payments, slashes, receipts);
//! nothing calls back up.
//!
//! - [`submit`]: entering the queue (checks, escrow), cancelling, the quote;
//! - [`assign`]: drawing providers (first round, replacements, escalation) and scheduling the
//!   windows;
//! - [`commit`]: commitments, and closing a commit window;
//! - [`reveal`]: every kind of reveal, through one function;
//! - [`conclude`]: ending a round: settle, escalate or fail;
//! - [`timeouts`]: the window ends each block closes.

pub mod assign;
pub mod commit;
pub mod conclude;
pub mod reveal;
pub mod submit;
pub mod timeouts;

pub use assign::SCHEDULE_SLACK;
pub use conclude::Concluded;
