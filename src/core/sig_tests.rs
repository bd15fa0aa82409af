//! The mailbox's tests (a child module of `sig`, for its private parts).

use super::*;
use crate::core::efd::tests::readable;
use crate::core::pipe::fake;
use std::sync::Arc;

#[test]
fn a_pipe_posted_to_a_closed_mailbox_is_closed_not_kept() {
    let a = Arc::new(Sig::new());
    let (pa, end) = fake::pipe((8, 8));
    a.close();
    a.post(Event::Added(pa));
    let mut ev = Vec::new();
    a.take_events(&mut ev);
    assert!(ev.is_empty(), "a closed mailbox keeps nothing");
    assert!(end.closed.load(Ordering::Acquire));
}

#[test]
fn close_raises_the_fds_for_good() {
    let sig = Sig::new();
    let rcv = sig.fd(Dir::Recv, false).unwrap();
    let snd = sig.fd(Dir::Send, true).unwrap();
    sig.settle_fds(false, false);
    assert!(!readable(rcv) && !readable(snd));
    let (e0, e1) = (sig.epoch(Dir::Send), sig.epoch(Dir::Recv));
    sig.close();
    assert!(readable(rcv) && readable(snd));
    assert!(sig.epoch(Dir::Send) != e0 && sig.epoch(Dir::Recv) != e1);
    // Nothing settles them back down.
    sig.settle_fds(false, false);
    assert!(readable(rcv) && readable(snd));
}

/// `settle_fds` skips its lock when the descriptors already say what
/// they should: every change must still happen, whichever way it goes,
/// and events not yet taken keep a descriptor raised.
#[test]
fn settling_raises_and_lowers_exactly_with_or_without_the_lock() {
    let sig = Sig::new();
    let rcv = sig.fd(Dir::Recv, false).unwrap();
    sig.settle_fds(false, false);
    assert!(!readable(rcv), "down, and it stays down");
    sig.settle_fds(false, true);
    assert!(readable(rcv), "raised when the owner can receive");
    sig.settle_fds(false, true);
    assert!(readable(rcv), "and stays raised");
    sig.settle_fds(false, false);
    assert!(!readable(rcv), "lowered when it cannot");
    sig.post(Event::In(1));
    assert!(readable(rcv), "a post raises it");
    sig.settle_fds(false, false);
    assert!(readable(rcv), "an event not yet taken keeps it raised");
    let mut ev = Vec::new();
    sig.take_events(&mut ev);
    sig.settle_fds(false, false);
    assert!(!readable(rcv), "taken and nothing to receive: lowered");
    // Down with an event pending (a post that raises nothing): the
    // settle raises it, as the lock path always did.
    sig.post(Event::Closed(1));
    sig.settle_fds(false, false);
    assert!(readable(rcv), "a pending event raises it");
    // The send side has no descriptor: nothing to settle there.
    ev.clear();
    sig.take_events(&mut ev);
    assert_eq!(ev.len(), 1);
    sig.settle_fds(true, false);
    assert!(!readable(rcv));
}

#[test]
fn fd_made_after_close_is_raised() {
    let sig = Sig::new();
    sig.close();
    let rcv = sig.fd(Dir::Recv, false).unwrap();
    assert!(readable(rcv));
}

/// An owner that counts how often the I/O thread handed it its posts.
struct Counting(std::sync::atomic::AtomicUsize);

impl Owner for Counting {
    fn settle_posted(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn owned() -> (Arc<Counting>, Sig) {
    let owner = Arc::new(Counting(Default::default()));
    let sig = Sig::owned_by(Arc::downgrade(&owner) as Weak<dyn Owner>);
    (owner, sig)
}

fn settled_within(owner: &Counting, n: usize) -> bool {
    let until = Instant::now() + std::time::Duration::from_secs(10);
    while Instant::now() < until {
        if owner.0.load(Ordering::SeqCst) >= n {
            return true;
        }
        std::thread::yield_now();
    }
    false
}

/// A thread waiting in `wait_or_fd(d, ..)` from the current epoch, once it
/// sleeps.
fn asleep_on_fd(
    sig: &Arc<Sig>,
    d: Dir,
    until: Option<Instant>,
    fd: i32,
) -> std::thread::JoinHandle<Woke> {
    let e = sig.epoch(d);
    let waiter = {
        let sig = sig.clone();
        std::thread::spawn(move || sig.wait_or_fd(d, e, until, fd))
    };
    while sig.fd_sleepers[ix(d)].load(Ordering::SeqCst) == 0 {
        std::thread::yield_now();
    }
    waiter
}

/// A receiver polling a pipe's descriptor wakes for a post, for the
/// descriptor, and at its deadline.
#[test]
fn a_receiver_polling_a_descriptor_wakes_for_posts_bytes_and_its_deadline() {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::time::Duration;
    let sig = Arc::new(Sig::new());
    assert!(sig.can_wait_on_fd());
    let (ours, mut theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    let fd = ours.as_raw_fd();
    let far = Some(Instant::now() + Duration::from_secs(10));
    // A post from another thread, once the receiver sleeps.
    let waiter = asleep_on_fd(&sig, Dir::Recv, far, fd);
    sig.post(Event::In(3));
    assert_eq!(waiter.join().unwrap(), Woke::Posted);
    // Bytes on the descriptor.
    let e = sig.epoch(Dir::Recv);
    theirs.write_all(b"x").unwrap();
    assert_eq!(sig.wait_or_fd(Dir::Recv, e, far, fd), Woke::Ready);
    // Nothing: the deadline.
    let mut b = [0u8; 1];
    std::io::Read::read(&mut &ours, &mut b).unwrap();
    let soon = Instant::now() + Duration::from_millis(20);
    assert_eq!(sig.wait_or_fd(Dir::Recv, e, Some(soon), fd), Woke::TimedOut);
    assert!(Instant::now() >= soon);
    // A post made before the wait ends it at once.
    sig.post(Event::In(3));
    assert_eq!(sig.wait_or_fd(Dir::Recv, e, far, fd), Woke::Posted);
}

/// A sender polling a full descriptor wakes for a post in its own
/// direction only, when the peer makes room, and at its deadline.
#[test]
fn a_sender_polling_a_full_descriptor_wakes_for_posts_room_and_its_deadline() {
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    use std::time::Duration;
    let sig = Arc::new(Sig::new());
    assert!(sig.can_wait_on_fd());
    let (mut ours, mut theirs) = std::os::unix::net::UnixStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let mut filled = 0;
    while ours.write(&[0u8; 4096]).is_ok() {
        filled += 4096;
    }
    let fd = ours.as_raw_fd();
    let far = Some(Instant::now() + Duration::from_secs(10));
    let waiter = asleep_on_fd(&sig, Dir::Send, far, fd);
    // A receive-side post does not end a send wait...
    sig.post(Event::In(3));
    let soon = Instant::now() + Duration::from_millis(30);
    let e2 = sig.epoch(Dir::Send);
    assert_eq!(
        sig.wait_or_fd(Dir::Send, e2, Some(soon), fd),
        Woke::TimedOut
    );
    assert!(!waiter.is_finished(), "still waiting for room");
    // ...a send-side one does.
    sig.post(Event::Out(3));
    assert_eq!(waiter.join().unwrap(), Woke::Posted);
    // Room: the peer reads everything.
    let mut b = vec![0u8; filled];
    theirs.read_exact(&mut b).unwrap();
    let e = sig.epoch(Dir::Send);
    assert_eq!(sig.wait_or_fd(Dir::Send, e, far, fd), Woke::Ready);
}

#[test]
fn an_idle_owner_gets_its_posts_from_the_io_thread() {
    let (owner, sig) = owned();
    sig.post(Event::Out(7));
    assert!(
        settled_within(&owner, 1),
        "Out to an idle owner is handed off"
    );
    // Arriving messages wait for a receiver: no hand-off.
    sig.post(Event::In(7));
    sig.post(Event::Closed(7));
    assert!(settled_within(&owner, 2));
    let mut ev = Vec::new();
    sig.take_events(&mut ev);
    assert_eq!(ev.len(), 3);
}

#[test]
fn out_goes_to_the_io_thread_when_only_a_receiver_waits() {
    let (owner, sig) = owned();
    let sig = Arc::new(sig);
    let e = sig.epoch(Dir::Recv);
    let waiter = {
        let sig = sig.clone();
        std::thread::spawn(move || sig.wait(Dir::Recv, e, None))
    };
    while sig.waiting[ix(Dir::Recv)].load(Ordering::SeqCst) == 0 {
        std::thread::yield_now();
    }
    // A receiver would not wake for Out: the I/O thread must take it.
    sig.post(Event::Out(3));
    assert!(settled_within(&owner, 1));
    sig.post(Event::In(3));
    assert!(waiter.join().unwrap());
}

/// A post records the CPU its poster ran on in the low bits of its
/// direction's epoch: what a spinning waiter compares its own CPU with.
/// The count above them moves with every post.
#[test]
fn a_post_records_its_posters_cpu_in_the_epoch() {
    let a = Sig::new();
    let cpu_of = |d: Dir| a.epoch(d) & NO_CPU;
    assert_eq!(cpu_of(Dir::Recv), NO_CPU, "no poster yet");
    // The thread may move between the post and the look: within a few
    // tries it does not.
    let mut seen = std::collections::HashSet::new();
    let matched = (0..100).any(|_| {
        let here = cpu::current() as u64;
        let before = a.epoch(Dir::Recv);
        a.post(Event::In(1));
        assert!(
            seen.insert(a.epoch(Dir::Recv) >> CPU_BITS),
            "the count moved"
        );
        assert!(a.epoch(Dir::Recv) != before);
        cpu_of(Dir::Recv) == here && cpu::current() as u64 == here
    });
    assert!(matched, "the post did not record this thread's CPU");
    assert_eq!(
        cpu_of(Dir::Send),
        NO_CPU,
        "an In moves only the receive side"
    );
}
