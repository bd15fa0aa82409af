//! The Rust API beside the C API in one process (its own, so the socket
//! table is this file's alone): handles shared with C code, zero-copy
//! messages, raw sockets' headers, closing from another thread.

use std::os::raw::{c_int, c_void};
use std::sync::Mutex;
use std::time::Duration;

use nanomsg::{ErrorKind, Message, Protocol, Socket};

extern "C" {
    fn nn_socket(domain: c_int, protocol: c_int) -> c_int;
    fn nn_close(s: c_int) -> c_int;
    fn nn_connect(s: c_int, addr: *const std::os::raw::c_char) -> c_int;
    fn nn_send(s: c_int, buf: *const c_void, len: usize, flags: c_int) -> c_int;
    fn nn_recv(s: c_int, buf: *mut c_void, len: usize, flags: c_int) -> c_int;
}

const AF_SP: c_int = 1;
const NN_PAIR: c_int = 16;

/// The tests that count on which handle comes next run one at a time.
static TABLE: Mutex<()> = Mutex::new(());

#[test]
fn dropping_a_socket_c_closed_leaves_the_handle_s_new_owner_alone() {
    let _g = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let a = Socket::new(Protocol::Pair).unwrap();
    let h = a.handle();
    // SAFETY: plain ints.
    assert_eq!(unsafe { nn_close(h) }, 0);
    assert_eq!(a.send(b"x").unwrap_err().kind(), ErrorKind::Closed);
    // The last closed handle is reused first, as upstream's.
    // SAFETY: plain ints.
    let c = unsafe { nn_socket(AF_SP, NN_PAIR) };
    assert_eq!(c, h);
    // Made before the drop, so it cannot take the number either.
    let b = Socket::new(Protocol::Pair).unwrap();
    b.set_send_timeout(Some(Duration::from_secs(10))).unwrap();
    b.set_recv_timeout(Some(Duration::from_secs(10))).unwrap();
    drop(a);
    // The C socket behind the reused number still works.
    b.bind("inproc://reuse").unwrap();
    let url = c"inproc://reuse";
    assert!(
        // SAFETY: a NUL-terminated string for nn_connect.
        unsafe { nn_connect(c, url.as_ptr()) } >= 0,
        "the C socket was closed by the Rust one's drop"
    );
    b.send(b"to C").unwrap();
    let mut buf = [0u8; 8];
    // SAFETY: 8 writable bytes.
    let n = unsafe { nn_recv(c, buf.as_mut_ptr() as *mut c_void, buf.len(), 0) };
    assert_eq!(&buf[..n as usize], b"to C");
    // And the C socket sends to the Rust one.
    // SAFETY: 4 readable bytes.
    let n = unsafe { nn_send(c, b"to R".as_ptr() as *const c_void, 4, 0) };
    assert_eq!(n, 4);
    assert_eq!(b.recv().unwrap(), b"to R");
    // SAFETY: plain ints.
    assert_eq!(unsafe { nn_close(c) }, 0);
    // Closing twice: the second is EBADF.
    b.close().unwrap();
    assert_eq!(b.close().unwrap_err().kind(), ErrorKind::Closed);
}

#[test]
fn messages_travel_without_copies_and_come_back_when_refused() {
    let _g = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let push = Socket::new(Protocol::Push).unwrap();
    let m = Message::from_slice(b"kept").unwrap();
    let p = m.as_ptr();
    // No puller: refused at once, and the very buffer comes back.
    let e = push.try_send_msg(m).unwrap_err();
    assert_eq!(e.error().kind(), ErrorKind::WouldBlock);
    let m = e.into_message();
    assert_eq!((m.as_ptr(), &m[..]), (p, &b"kept"[..]));
    let pull = Socket::new(Protocol::Pull).unwrap();
    pull.bind("inproc://zero-copy").unwrap();
    push.connect("inproc://zero-copy").unwrap();
    push.send_msg(m).unwrap();
    let got = pull.recv_msg().unwrap();
    assert_eq!(got.as_ptr(), p, "the buffer was copied on the way");
    assert_eq!(&got[..], b"kept");
}

#[test]
fn a_raw_rep_gets_and_gives_the_request_header() {
    let _g = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let rep = Socket::new_raw(Protocol::Rep).unwrap();
    assert!(rep.is_raw());
    rep.bind("inproc://raw-rep").unwrap();
    let req = Socket::new(Protocol::Req).unwrap();
    req.connect("inproc://raw-rep").unwrap();
    req.send(b"q").unwrap();
    let q = rep.recv_msg().unwrap();
    assert_eq!(&q[..], b"q");
    // At least the request id, its top bit set.
    assert!(q.header().len() >= 4 && q.header()[q.header().len() - 4] & 0x80 != 0);
    let mut a = Message::from_slice(b"a").unwrap();
    *a.header_mut() = q.header().to_vec();
    rep.send_msg(a).unwrap();
    assert_eq!(req.recv().unwrap(), b"a");
}

#[test]
fn closing_from_another_thread_wakes_a_receiver() {
    let _g = TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let s = Socket::new(Protocol::Pull).unwrap();
    std::thread::scope(|t| {
        let r = t.spawn(|| s.recv());
        // Closed before or while the receiver waits: either way Closed.
        s.close().unwrap();
        assert_eq!(r.join().unwrap().unwrap_err().kind(), ErrorKind::Closed);
    });
}
