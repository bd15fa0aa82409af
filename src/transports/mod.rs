//! Transports: address parsing and the endpoints that make pipes.
//! Only inproc exists so far; ipc, tcp and ws are refused with
//! `EPROTONOSUPPORT` until they land.

pub mod inproc;

use std::sync::Arc;

use crate::core::error::{Error, Result};
use crate::core::options::Options;
use crate::core::socket::Socket;
use crate::ffi::consts::NN_SOCKADDR_MAX;

/// What a transport keeps for one bound or connected address.
pub trait EndpointImpl: Send {
    /// Stop accepting/connecting. Pipes are closed by the socket.
    fn shutdown(&mut self);
}

/// One `nn_bind`/`nn_connect` of a socket.
pub struct Endpoint {
    pub id: i32,
    inner: Box<dyn EndpointImpl>,
}

impl Endpoint {
    pub fn shutdown(&mut self) {
        self.inner.shutdown();
    }
}

/// Split `scheme://rest`, checking the length limits every transport shares.
pub fn split_addr(addr: &str) -> Result<(&str, &str)> {
    if addr.len() >= NN_SOCKADDR_MAX as usize {
        return Err(Error::NAMETOOLONG);
    }
    addr.split_once("://").ok_or(Error::INVAL)
}

/// Create the endpoint for `addr` (the socket's state lock is held).
pub fn create(
    sock: &Arc<Socket>,
    eid: i32,
    addr: &str,
    bind: bool,
    opts: &Options,
) -> Result<Endpoint> {
    let (scheme, rest) = split_addr(addr)?;
    let inner: Box<dyn EndpointImpl> = match scheme {
        "inproc" => Box::new(inproc::InprocEp::new(sock, eid, rest, bind, opts)?),
        _ => return Err(Error::PROTONOSUPPORT),
    };
    Ok(Endpoint { id: eid, inner })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(split_addr("inproc://a"), Ok(("inproc", "a")));
        assert_eq!(split_addr("inproc://"), Ok(("inproc", "")));
        assert_eq!(split_addr("inproc"), Err(Error::INVAL));
        assert_eq!(
            split_addr(&format!("inproc://{}", "x".repeat(200))),
            Err(Error::NAMETOOLONG)
        );
    }
}
