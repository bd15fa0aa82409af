//! [`Message`]: a zero-copy message buffer (the memory `nn_allocmsg`
//! gives C callers), owned by Rust.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::os::raw::c_void;

use super::error::{Error, Result};
use crate::core::msg::{Chunk, Msg, UserChunk};

/// A message body in the library's own buffer: sending it with
/// [`Socket::send_msg`](crate::Socket::send_msg) hands the buffer over
/// without copying, and [`Socket::recv_msg`](crate::Socket::recv_msg)
/// hands over the one the message arrived in. It dereferences to its
/// bytes (`&[u8]`, `&mut [u8]`) and frees them when dropped.
///
/// Besides the body, a message carries its protocol header (empty on
/// cooked sockets; on raw sockets the backtrace or request id that
/// `nn_recvmsg` gives as an `SP_HDR` control message), see
/// [`Message::header`].
///
/// ```
/// use nanomsg::{Message, Protocol, Socket};
///
/// let (a, b) = (Socket::new(Protocol::Pair)?, Socket::new(Protocol::Pair)?);
/// a.bind("inproc://doc-message")?;
/// b.connect("inproc://doc-message")?;
///
/// let mut m = Message::with_len(5)?; // five zero bytes
/// m.copy_from_slice(b"hello");
/// a.send_msg(m)?; // no copy: the buffer itself travels
///
/// let mut got = b.recv_msg()?;
/// assert_eq!(&got[..], b"hello");
/// got[0] = b'j'; // ours to change
/// got.resize(7)?; // grows with zero bytes
/// assert_eq!(&got[..], b"jello\0\0");
/// # Ok::<(), nanomsg::Error>(())
/// ```
pub struct Message {
    /// Shared only with other receivers of the same published message
    /// (read-only then); copied before it is first written.
    body: Chunk,
    hdr: Vec<u8>,
}

impl Message {
    /// A message of `len` zero bytes (`ENOMEM` if it cannot be had).
    pub fn with_len(len: usize) -> Result<Message> {
        Ok(Message::from_chunk(Chunk::zeroed(len)?))
    }

    /// A message holding a copy of `bytes`.
    pub fn from_slice(bytes: &[u8]) -> Result<Message> {
        Ok(Message::from_chunk(Chunk::from_slice(bytes)?))
    }

    fn from_chunk(body: Chunk) -> Message {
        Message {
            body,
            hdr: Vec::new(),
        }
    }

    /// A received message, or one a failed send gave back.
    pub(super) fn from_msg(m: Msg) -> Message {
        Message {
            body: m.body,
            hdr: m.hdr,
        }
    }

    pub(super) fn into_msg(self) -> Msg {
        Msg {
            hdr: self.hdr,
            body: self.body,
        }
    }

    /// Resize to `len` bytes, keeping the contents up to the shorter
    /// length; new bytes are zero. (Growing may move the buffer.)
    pub fn resize(&mut self, len: usize) -> Result<()> {
        if self.body.as_mut_slice().is_none() {
            // Shared with other receivers: resize a copy of our own.
            self.body = Chunk::from_slice(self.body.as_slice())?;
        }
        let body = std::mem::replace(&mut self.body, Chunk::zeroed(0)?);
        match body.resize_zeroed(len) {
            Ok(c) => {
                self.body = c;
                Ok(())
            }
            Err((e, c)) => {
                self.body = c;
                Err(e.into())
            }
        }
    }

    /// The protocol header: what a raw socket received before the body,
    /// or will send before it.
    pub fn header(&self) -> &[u8] {
        &self.hdr
    }

    /// The protocol header, to change (raw sockets send it as is).
    pub fn header_mut(&mut self) -> &mut Vec<u8> {
        &mut self.hdr
    }

    /// Hand the buffer to C code: the pointer `nn_allocmsg` would have
    /// given, for `nn_send(s, &p, NN_MSG, 0)` or `nn_freemsg(p)`. The
    /// header is dropped. (`ENOMEM` only for a received message that
    /// other receivers still share, whose copy could not be had.)
    pub fn into_raw(self) -> Result<*mut c_void> {
        Ok(self.body.into_user()?.into_ptr())
    }

    /// Take over a buffer from `nn_allocmsg` or an `NN_MSG` receive.
    /// `EFAULT` (with the buffer still the caller's) if `p` is NULL or no
    /// live buffer of this library's (as far as can be told).
    ///
    /// # Safety
    /// `p` must be NULL or a pointer this library gave out and nobody has
    /// freed or handed back since; from now on the message owns it.
    pub unsafe fn from_raw(p: *mut c_void) -> Result<Message> {
        // SAFETY: forwarded caller contract.
        let u = unsafe { UserChunk::from_user(p) }?;
        Ok(Message::from_chunk(u.into_chunk()))
    }
}

impl Deref for Message {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.body.as_slice()
    }
}

impl DerefMut for Message {
    /// The bytes to write: a copy first if other receivers share them
    /// (panics if memory runs out for it, as `Vec` does).
    fn deref_mut(&mut self) -> &mut [u8] {
        if self.body.as_mut_slice().is_none() {
            self.body =
                Chunk::from_slice(self.body.as_slice()).expect("out of memory copying a message");
        }
        self.body.as_mut_slice().expect("a fresh copy is unique")
    }
}

impl AsRef<[u8]> for Message {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl AsMut<[u8]> for Message {
    fn as_mut(&mut self) -> &mut [u8] {
        self
    }
}

impl Clone for Message {
    /// A copy (its own buffer). Panics if memory runs out, as `Vec` does.
    fn clone(&self) -> Message {
        let mut m = Message::from_slice(self).expect("out of memory copying a message");
        m.hdr = self.hdr.clone();
        m
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("len", &self.len())
            .field("header_len", &self.hdr.len())
            .finish()
    }
}

/// A failed [`Socket::send_msg`](crate::Socket::send_msg): the error and
/// the message, which is still the caller's (to send again, say).
pub struct SendError {
    error: Error,
    message: Message,
}

impl SendError {
    pub(super) fn new(error: Error, message: Message) -> SendError {
        SendError { error, message }
    }

    /// What went wrong.
    pub fn error(&self) -> Error {
        self.error
    }

    /// The message that was not sent.
    pub fn into_message(self) -> Message {
        self.message
    }
}

impl From<SendError> for Error {
    fn from(e: SendError) -> Error {
        e.error
    }
}

impl fmt::Debug for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError")
            .field("error", &self.error)
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for SendError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_round_trip_and_resize() {
        let mut m = Message::from_slice(b"abc").unwrap();
        m.resize(1).unwrap();
        assert_eq!(&m[..], b"a");
        m.resize(600).unwrap(); // past the pooled size: a moved buffer
        assert_eq!(&m[..3], b"a\0\0");
        assert!(m[1..].iter().all(|&b| b == 0));
        let p = m.into_raw().unwrap();
        // SAFETY: p came from into_raw just now.
        let back = unsafe { Message::from_raw(p) }.unwrap();
        assert_eq!(back.len(), 600);
        // SAFETY: NULL is refused.
        let null = unsafe { Message::from_raw(std::ptr::null_mut()) };
        assert_eq!(null.unwrap_err(), Error::from_raw_os_error(libc::EFAULT));
        let c = back.clone();
        assert_eq!(&c[..], &back[..]);
    }
}
