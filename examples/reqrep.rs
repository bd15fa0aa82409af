//! Request/reply with the Rust API, for trying it against any peer (C
//! programs, Debian's nanocat, nng):
//!
//!     cargo run --release --example reqrep -- server URL [COUNT]
//!     cargo run --release --example reqrep -- client URL MESSAGE...
//!
//! The server binds a REP socket to URL and answers COUNT requests
//! (default: forever), printing each request on a line of its own and
//! replying "reply to <request>". The client connects a REQ socket to URL,
//! sends each MESSAGE in turn and prints each reply on a line of its own.
//! Both give up after 10 s without a message (exit status 1).
//!
//! With Debian's nanocat (`apt install nanomsg-utils`):
//!
//!     reqrep server tcp://127.0.0.1:5555 1 &
//!     nanocat --req --connect tcp://127.0.0.1:5555 --data hello --ascii
//!     nanocat --rep --bind tcp://127.0.0.1:5556 --data world --ascii &
//!     reqrep client tcp://127.0.0.1:5556 hello

use std::process::ExitCode;
use std::time::Duration;

use nanomsg::{Protocol, Socket};

const PATIENCE: Duration = Duration::from_secs(10);

fn server(url: &str, count: Option<u64>) -> nanomsg::Result<()> {
    let s = Socket::new(Protocol::Rep)?;
    s.set_recv_timeout(Some(PATIENCE))?;
    s.set_send_timeout(Some(PATIENCE))?;
    s.bind(url)?;
    let mut served = 0;
    while count.is_none_or(|c| served < c) {
        // Zero-copy: the request's own buffer, printed and answered.
        let req = s.recv_msg()?;
        let text = String::from_utf8_lossy(&req);
        println!("{text}");
        s.send(format!("reply to {text}").as_bytes())?;
        served += 1;
    }
    Ok(())
}

fn client(url: &str, messages: &[String]) -> nanomsg::Result<()> {
    let s = Socket::new(Protocol::Req)?;
    s.set_recv_timeout(Some(PATIENCE))?;
    s.set_send_timeout(Some(PATIENCE))?;
    s.connect(url)?;
    for m in messages {
        s.send(m.as_bytes())?;
        println!("{}", String::from_utf8_lossy(&s.recv()?));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args.as_slice() {
        [role, url] if role == "server" => server(url, None),
        [role, url, n] if role == "server" => match n.parse() {
            Ok(n) => server(url, Some(n)),
            Err(_) => {
                eprintln!("reqrep: COUNT must be a number, not {n:?}");
                return ExitCode::from(2);
            }
        },
        [role, url, msgs @ ..] if role == "client" && !msgs.is_empty() => client(url, msgs),
        _ => {
            eprintln!("usage: reqrep server URL [COUNT] | reqrep client URL MESSAGE...");
            return ExitCode::from(2);
        }
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reqrep: {e} (errno {})", e.raw_os_error());
            ExitCode::FAILURE
        }
    }
}
