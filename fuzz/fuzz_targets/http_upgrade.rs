//! The WebSocket opening handshake: the server's parse of an upgrade
//! request and the client's check of the reply.
//!
//! Input: one byte choosing the part, then the bytes.
//! - 0: a request head from a peer. Whatever it holds, parsing returns;
//!   when it is accepted, its path has no query, its key is not empty and
//!   the 101 reply we would send for it passes our own client's check
//!   (and fails it for another key or protocol).
//! - 1: a reply from a peer, checked against a fixed key and protocol
//!   (as it comes, and cut at its blank line as the connection does): when
//!   accepted, it is a 101 response naming that protocol.
//! - 2: a path and host from a caller's address: the request our client
//!   builds from them is one our server accepts, for the same path.
//!
//! Always: `header_end` finds the first blank line and nothing else.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanomsg::fuzzing::http;

const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
const PROTO: &str = "rep.sp.nanomsg.org";

fn check_header_end(b: &[u8]) {
    match http::header_end(b) {
        Some(e) => {
            assert!(e >= 4 && e <= b.len());
            assert_eq!(&b[e - 4..e], b"\r\n\r\n");
            assert!(!b[..e - 1].windows(4).any(|w| w == b"\r\n\r\n"));
        }
        None => assert!(!b.windows(4).any(|w| w == b"\r\n\r\n")),
    }
}

fn request(head: &[u8]) {
    let Ok((path, key, protocol)) = http::parse_request(head) else {
        return;
    };
    assert!(!path.contains('?'));
    assert!(!key.is_empty());
    let reply = http::accept_reply(&key, &protocol);
    assert_eq!(http::header_end(&reply), Some(reply.len()));
    // What our client expects for that key: derive it with a request of
    // our own that carries the same key.
    let (own, accept) = http::client_request("h", "/", 16);
    let own = String::from_utf8(own).unwrap();
    let own_key = own
        .lines()
        .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
        .unwrap();
    let (_, k, _) = http::parse_request(own.as_bytes()).unwrap();
    assert_eq!(k, own_key);
    if key == own_key {
        assert!(http::check_response(&reply, &accept, &protocol));
    } else {
        assert!(!http::check_response(&reply, &accept, &protocol));
    }
    let twin = http::accept_reply(own_key, &protocol);
    assert!(http::check_response(&twin, &accept, &protocol));
    assert!(!http::check_response(
        &twin,
        &accept,
        &format!("x{protocol}")
    ));
}

fn response(bytes: &[u8]) {
    // Any bytes: an answer, no panic.
    let _ = http::check_response(bytes, ACCEPT, PROTO);
    // As the connection does it: the head up to its blank line.
    let Some(end) = http::header_end(bytes) else {
        return;
    };
    let head = &bytes[..end];
    if http::check_response(head, ACCEPT, PROTO) {
        let s = String::from_utf8_lossy(head);
        // Empty lines before the status line are allowed (RFC 9112 2.2).
        let s = s.trim_start_matches(['\r', '\n']);
        assert!(s.starts_with("HTTP/1."), "{s:?}");
        assert!(s[8..].trim_start().starts_with("101"));
        assert!(!http::check_response(head, ACCEPT, "pair.sp.nanomsg.org"));
    }
    // A reply that is an error status is never accepted.
    for status in [400u16, 404, 426, 431, 505] {
        assert!(!http::check_response(
            &http::error_reply(status),
            ACCEPT,
            PROTO
        ));
    }
}

fn client(b: &[u8]) {
    // A caller's address: ws://host[:port][/path]. Only bytes that may
    // appear in a request target or a host name are sent as they are
    // (see the report: other bytes are not escaped).
    let s = String::from_utf8_lossy(b);
    let (host, path) = s.split_once('|').unwrap_or(("127.0.0.1:80", &s));
    let ok = |c: char| c.is_ascii_graphic();
    if !host.chars().all(ok) || host.is_empty() || !path.chars().all(ok) {
        return;
    }
    let path = format!("/{path}");
    let (req, accept) = http::client_request(host, &path, 48);
    let (p, key, proto) = http::parse_request(&req).expect("our own request is accepted");
    assert_eq!(p, path.split('?').next().unwrap());
    assert_eq!(proto, http::sp_name(48));
    let reply = http::accept_reply(&key, &proto);
    assert!(http::check_response(&reply, &accept, &proto));
}

fuzz_target!(|input: &[u8]| {
    let Some((&mode, data)) = input.split_first() else {
        return;
    };
    check_header_end(data);
    match mode % 3 {
        0 => request(data),
        1 => response(data),
        _ => client(data),
    }
});
