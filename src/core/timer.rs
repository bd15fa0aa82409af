//! Protocol timers (REQ resend, survey deadlines) that must fire even when
//! nobody is calling into the socket. They run on the reactor thread (see
//! `crate::reactor`), which then lets the socket run its due timers.
//! Entries are hints: a socket whose deadline moved simply finds nothing
//! due and registers again.

use std::sync::Weak;
use std::time::Instant;

use crate::core::socket::Socket;

/// Ask for `sock.fire_timers()` at (or soon after) `at`.
pub fn schedule(sock: Weak<Socket>, at: Instant) {
    crate::reactor::get().at(
        at,
        Box::new(move || {
            if let Some(s) = sock.upgrade() {
                s.fire_timers();
            }
        }),
    );
}
