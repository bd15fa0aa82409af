//! BUS: every message goes to every directly connected peer, never back to
//! the pipe it came from. Messages are fair-queued in.
//!
//! Raw BUS (for devices): a received message carries the 4-byte key of the
//! pipe it came from as its header; a message sent with such a header goes
//! to every pipe but that one.

use crate::core::error::{Error, Result};
use crate::core::msg::Msg;
use crate::core::pipe::{Pipe, PipeId};
use crate::protocols::prio::{Distributor, FairQueue};
use crate::protocols::{Protocol, SendError};

pub struct Bus {
    raw: bool,
    dist: Distributor,
    fq: FairQueue,
}

impl Bus {
    pub fn create(raw: bool) -> Box<dyn Protocol> {
        Box::new(Bus {
            raw,
            dist: Distributor::default(),
            fq: FairQueue::default(),
        })
    }
}

impl Protocol for Bus {
    fn add_pipe(&mut self, pipe: Pipe) {
        pipe.accept();
        self.fq.add(pipe.clone());
        self.dist.add(pipe);
    }
    fn rm_pipe(&mut self, id: PipeId) {
        self.fq.remove(id);
        self.dist.remove(id);
    }
    fn in_ready(&mut self, id: PipeId) {
        self.fq.in_ready(id);
    }
    fn send(&mut self, mut msg: Msg) -> std::result::Result<(), SendError> {
        let skip = if self.raw && msg.hdr.len() == 4 {
            let key = u32::from_be_bytes(msg.hdr[..4].try_into().expect("4 bytes"));
            Some(key as PipeId)
        } else {
            None
        };
        msg.hdr.clear();
        self.dist.send(&msg, skip);
        Ok(())
    }
    fn recv(&mut self) -> Result<Msg> {
        let (mut m, from) = self.fq.recv().ok_or(Error::AGAIN)?;
        m.hdr.clear();
        if self.raw {
            m.hdr
                .extend_from_slice(&crate::protocols::pipe_key(from).to_be_bytes());
        }
        Ok(m)
    }
    fn can_send(&self) -> bool {
        true
    }
    fn can_recv(&self) -> bool {
        self.fq.can_recv()
    }
}
