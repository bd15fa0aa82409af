//! The parsers that read what a peer or a caller hands us, as pure
//! functions over bytes, for the fuzz targets in `fuzz/` and for tests.
//! Nothing here is part of the C ABI (no `extern "C"`, no `#[no_mangle]`):
//! it only re-exports and wraps what the library itself uses.

pub use crate::transports::framing::{
    sp_cut, sp_header, sp_header_protocol, sp_prefix_len, SpCut, SpError,
};
pub use crate::transports::ws::frame::{Deframer, WsError, WsEvent, WsStep};

/// WebSocket frame helpers (RFC 6455 section 5).
pub mod ws {

    pub use crate::transports::ws::frame::FrameHead;

    /// A frame header at the front of `b`: `Ok(None)` if incomplete.
    pub fn parse_header(b: &[u8]) -> Result<Option<FrameHead>, super::WsError> {
        crate::transports::ws::frame::parse_header(b).map_err(|()| super::WsError::Header)
    }

    /// A final frame's header for a payload of `len` bytes.
    pub fn frame_header(op: u8, len: usize, mask: Option<[u8; 4]>) -> Vec<u8> {
        let mut h = [0u8; 14];
        let n = crate::transports::ws::frame::frame_header(&mut h, op, len, mask);
        h[..n].to_vec()
    }

    pub fn apply_mask(data: &mut [u8], key: [u8; 4], at: usize) {
        crate::transports::ws::frame::apply_mask(data, key, at)
    }
}

/// The WebSocket opening handshake (RFC 6455 section 4).
pub mod http {
    use crate::transports::ws::http;

    /// Where an HTTP head ends (past its blank line), if complete.
    pub fn header_end(b: &[u8]) -> Option<usize> {
        http::header_end(b)
    }

    /// The server's check of an upgrade request: (path, key, protocol),
    /// or the HTTP error status to answer.
    pub fn parse_request(head: &[u8]) -> Result<(String, String, String), u16> {
        http::parse_request(head).map(|r| (r.path, r.key, r.protocol))
    }

    /// The server's 101 reply to a request with this key and protocol.
    pub fn accept_reply(key: &str, protocol: &str) -> Vec<u8> {
        http::accept_reply(key, protocol)
    }

    /// The server's error reply.
    pub fn error_reply(status: u16) -> Vec<u8> {
        http::error_reply(status)
    }

    /// The client's request to `host` and `path` asking for the peer's
    /// protocol, and the `Sec-WebSocket-Accept` value it expects.
    pub fn client_request(host: &str, path: &str, peer_protocol: i32) -> (Vec<u8>, String) {
        http::client_request(host, path, peer_protocol)
    }

    /// The client's check of the server's reply.
    pub fn check_response(head: &[u8], accept: &str, protocol: &str) -> bool {
        http::check_response(head, accept, protocol).is_ok()
    }

    /// The `Sec-WebSocket-Protocol` value for an SP protocol.
    pub fn sp_name(protocol: i32) -> String {
        http::sp_name(protocol)
    }
}

/// The control messages of `nn_sendmsg` / `nn_recvmsg` (`nn_cmsg(3)`).
pub mod cmsg {
    /// The protocol header from the `SP_HDR` control message, if any.
    pub fn find_sp_header(ctl: &[u8]) -> Option<Vec<u8>> {
        crate::core::cmsg::find_sp_header(ctl)
    }

    /// Write the `SP_HDR` control message for `hdr` into `out` if it fits.
    pub fn put_sp_header(out: &mut [u8], hdr: &[u8]) {
        crate::core::cmsg::put_sp_header(out, hdr)
    }

    /// `NN_CMSG_FIRSTHDR` / `NN_CMSG_NXTHDR` over a buffer: the offset of
    /// the next control message after (offset, cmsg_len), or the first.
    pub fn next(buf: &[u8], cur: Option<(usize, usize)>) -> Option<usize> {
        crate::core::cmsg::next(buf, cur)
    }

    /// `NN_CMSG_SPACE(len)`.
    pub fn space(len: usize) -> usize {
        crate::core::cmsg::space(len)
    }
}
