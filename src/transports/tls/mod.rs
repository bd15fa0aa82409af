//! TLS for the stream transports (issue 12): `tls+tcp://` (nng's TLS over
//! TCP) and `wss://`, on rustls with the ring provider. The endpoints
//! (`transports::net`) make the configuration; each connection
//! (`transports::stream`, `secure`) drives a session.
//!
//! - `config`: the `NN_TLS` options to a rustls client or server
//!   configuration, or the errno `nn_connect`/`nn_bind` reports.
//! - `session`: a TLS session over a non-blocking descriptor as a state
//!   machine: ciphertext in, plaintext out and back, never blocking.

pub mod config;
pub mod session;

#[cfg(test)]
mod config_tests;
#[cfg(test)]
mod session_tests;
#[cfg(test)]
pub(crate) mod testcerts;
