//! Tests of `config`: every errno case, and in-memory handshakes (rustls
//! connections exchanging bytes through buffers) for each auth mode, with
//! certificates made at test time.

use std::io::{Read, Write};
use std::sync::Arc;

use rustls::{ClientConnection, ServerConnection};

use super::config::{client, errno_of, server, ConfigError};
use super::testcerts::Certs;
use crate::consts::*;
use crate::core::error::Error;
use crate::core::options::TlsOpts;

const ENOENT: Error = Error(libc::ENOENT);
const EACCES: Error = Error(libc::EACCES);
const UNSET: i32 = -1;

fn errno<T>(r: Result<T, ConfigError>) -> Error {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => {
            assert!(e.what.starts_with("TLS: "), "{}", e.what);
            e.err
        }
    }
}

/// Which side failed a handshake, and why.
#[derive(Debug)]
pub(super) enum Failed {
    Client(rustls::Error),
    Server(rustls::Error),
}

/// Moves what `from` has to send into `to`; true if anything moved.
fn carry(from: &mut rustls::Connection, to: &mut rustls::Connection) -> bool {
    let mut buf = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut buf).unwrap();
    }
    let mut rest = &buf[..];
    while !rest.is_empty() {
        to.read_tls(&mut rest).unwrap();
    }
    !buf.is_empty()
}

/// Runs the handshake to its end (or the first error), then sends
/// "ping" one way and "pong" the other.
pub(super) fn handshake(c: ClientConnection, s: ServerConnection) -> Result<(), Failed> {
    let mut c = rustls::Connection::Client(c);
    let mut s = rustls::Connection::Server(s);
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 20, "the handshake does not end");
        let a = carry(&mut c, &mut s);
        s.process_new_packets().map_err(Failed::Server)?;
        let b = carry(&mut s, &mut c);
        c.process_new_packets().map_err(Failed::Client)?;
        if !a && !b && !c.is_handshaking() && !s.is_handshaking() {
            break;
        }
    }
    c.writer().write_all(b"ping").unwrap();
    carry(&mut c, &mut s);
    s.process_new_packets().map_err(Failed::Server)?;
    let mut got = [0u8; 4];
    s.reader().read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ping");
    s.writer().write_all(b"pong").unwrap();
    carry(&mut s, &mut c);
    c.process_new_packets().map_err(Failed::Client)?;
    c.reader().read_exact(&mut got).unwrap();
    assert_eq!(&got, b"pong");
    Ok(())
}

/// A handshake between a dialer with `copts` (dialing `host`) and a
/// listener with `sopts`.
fn connect(copts: &TlsOpts, host: &str, sopts: &TlsOpts) -> Result<(), Failed> {
    let d = client(copts, host).unwrap();
    let c = ClientConnection::new(d.config, d.name).unwrap();
    let s = ServerConnection::new(server(sopts).unwrap()).unwrap();
    handshake(c, s)
}

#[test]
fn dialer_needs_a_ca_unless_none() {
    let k = Certs::new();
    for mode in [UNSET, NN_TLS_AUTH_MODE_OPTIONAL, NN_TLS_AUTH_MODE_REQUIRED] {
        assert_eq!(
            errno(client(&k.opts("", "", mode), "localhost")),
            Error::INVAL
        );
        assert!(client(&k.opts("ca.pem", "", mode), "localhost").is_ok());
    }
    assert!(client(&k.opts("", "", NN_TLS_AUTH_MODE_NONE), "localhost").is_ok());
}

#[test]
fn file_errors() {
    let k = Certs::new();
    let ca = |name: &str| errno(client(&k.opts(name, "", UNSET), "localhost"));
    // Not there, or a file where a directory should be.
    assert_eq!(ca("nonexistent.pem"), ENOENT);
    assert_eq!(ca("ca.pem/x"), ENOENT);
    // Not a regular file: a directory, a device, a FIFO (no hang).
    assert_eq!(ca("."), Error::INVAL);
    let mut o = k.opts("", "", UNSET);
    o.ca_file = b"/dev/zero".to_vec();
    assert_eq!(errno(client(&o, "localhost")), Error::INVAL);
    let fifo = k.dir.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    assert_eq!(ca("fifo"), Error::INVAL);
    // No usable certificate.
    for bad in [
        "garbage.pem",
        "empty.pem",
        "bad-base64.pem",
        "not-a-cert.pem",
    ] {
        assert_eq!(ca(bad), Error::INVAL, "{bad}");
    }
    // The same for a listener's cert+key file.
    let ck = |name: &str| errno(server(&k.opts("", name, UNSET)));
    assert_eq!(ck("nonexistent.pem"), ENOENT);
    for bad in ["garbage.pem", "empty.pem", "bad-base64.pem", "."] {
        assert_eq!(ck(bad), Error::INVAL, "{bad}");
    }
}

#[test]
fn unreadable_file_is_eacces() {
    let k = Certs::new();
    let p = k.dir.join("ca.pem");
    std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let mut o = k.opts("ca.pem", "", UNSET);
    if std::fs::File::open(&p).is_ok() {
        // Root reads any file; procfs still refuses this one to root.
        o.ca_file = b"/proc/sys/vm/drop_caches".to_vec();
    }
    assert_eq!(errno(client(&o, "localhost")), EACCES);
    assert_eq!(
        errno(server(&TlsOpts {
            cert_key_file: o.ca_file.clone(),
            ..o
        })),
        EACCES
    );
    let e = |n| errno_of(&std::io::Error::from_raw_os_error(n));
    assert_eq!(e(libc::EACCES), EACCES);
    assert_eq!(e(libc::EPERM), EACCES);
    assert_eq!(e(libc::ENOENT), ENOENT);
    assert_eq!(e(libc::ENOTDIR), ENOENT);
    assert_eq!(e(libc::EISDIR), Error::INVAL);
    assert_eq!(e(libc::EIO), Error::INVAL);
}

#[test]
fn cert_key_errors() {
    let k = Certs::new();
    for bad in [
        "mismatch.pem",
        "server-cert-only.pem",
        "server-key-only.pem",
        "ca.pem",
    ] {
        assert_eq!(
            errno(server(&k.opts("", bad, UNSET))),
            Error::INVAL,
            "{bad}"
        );
        let o = k.opts("ca.pem", bad, UNSET);
        assert_eq!(errno(client(&o, "localhost")), Error::INVAL, "{bad}");
    }
    assert!(server(&k.opts("", "server.pem", UNSET)).is_ok());
    assert!(server(&k.opts("", "server-key-first.pem", UNSET)).is_ok());
    assert!(client(&k.opts("ca.pem", "client.pem", UNSET), "localhost").is_ok());
}

#[test]
fn listener_needs_a_cert_and_a_ca_to_verify_clients() {
    let k = Certs::new();
    for mode in [
        UNSET,
        NN_TLS_AUTH_MODE_NONE,
        NN_TLS_AUTH_MODE_OPTIONAL,
        NN_TLS_AUTH_MODE_REQUIRED,
    ] {
        assert_eq!(errno(server(&k.opts("ca.pem", "", mode))), Error::INVAL);
    }
    for mode in [NN_TLS_AUTH_MODE_OPTIONAL, NN_TLS_AUTH_MODE_REQUIRED] {
        assert_eq!(errno(server(&k.opts("", "server.pem", mode))), Error::INVAL);
        assert_eq!(
            errno(server(&k.opts("garbage.pem", "server.pem", mode))),
            Error::INVAL
        );
        assert_eq!(
            errno(server(&k.opts("nonexistent.pem", "server.pem", mode))),
            ENOENT
        );
    }
    for mode in [UNSET, NN_TLS_AUTH_MODE_NONE] {
        // The CA file is not even read.
        assert!(server(&k.opts("", "server.pem", mode)).is_ok());
        assert!(server(&k.opts("nonexistent.pem", "server.pem", mode)).is_ok());
    }
}

#[test]
fn server_names() {
    let k = Certs::new();
    let name = |host: &str, sn: &[u8]| {
        let mut o = k.opts("ca.pem", "", UNSET);
        o.server_name = sn.to_vec();
        client(&o, host).map(|d| d.name)
    };
    assert_eq!(
        format!("{:?}", name("localhost", b"").unwrap()),
        r#"DnsName("localhost")"#
    );
    assert!(format!("{:?}", name("127.0.0.1", b"").unwrap()).starts_with("IpAddress"));
    assert!(format!("{:?}", name("[::1]", b"").unwrap()).starts_with("IpAddress"));
    // The option wins over the URL's host.
    assert_eq!(
        format!("{:?}", name("10.0.0.1", b"example.com").unwrap()),
        r#"DnsName("example.com")"#
    );
    assert!(name("bad host", b"localhost").is_ok());
    for bad in [&b"bad name"[..], b"a..b", b"\xff\xfe", b"-", b"[::1"] {
        assert_eq!(errno(name("localhost", bad)), Error::INVAL, "{bad:?}");
    }
    assert_eq!(errno(name("", b"")), Error::INVAL);
    assert_eq!(errno(name("*", b"")), Error::INVAL);
    // Even a dialer that verifies nothing sends a valid SNI.
    let mut o = k.opts("", "", NN_TLS_AUTH_MODE_NONE);
    o.server_name = b"no good".to_vec();
    assert_eq!(errno(client(&o, "localhost")), Error::INVAL);
}

#[test]
fn handshake_each_listener_mode() {
    let k = Certs::new();
    let with_cert = k.opts("ca.pem", "client.pem", UNSET);
    let without = k.opts("ca.pem", "", UNSET);
    for mode in [
        UNSET,
        NN_TLS_AUTH_MODE_NONE,
        NN_TLS_AUTH_MODE_OPTIONAL,
        NN_TLS_AUTH_MODE_REQUIRED,
    ] {
        let s = k.opts("ca.pem", "server.pem", mode);
        connect(&with_cert, "localhost", &s).unwrap_or_else(|e| panic!("mode {mode}: {e:?}"));
        connect(&with_cert, "127.0.0.1", &s).unwrap_or_else(|e| panic!("mode {mode}: {e:?}"));
        if mode != NN_TLS_AUTH_MODE_REQUIRED {
            connect(&without, "localhost", &s).unwrap_or_else(|e| panic!("mode {mode}: {e:?}"));
        }
    }
    // Explicit dialer modes: OPTIONAL and REQUIRED verify, NONE does not.
    let s = k.opts("", "server.pem", UNSET);
    for mode in [
        NN_TLS_AUTH_MODE_OPTIONAL,
        NN_TLS_AUTH_MODE_REQUIRED,
        NN_TLS_AUTH_MODE_NONE,
    ] {
        connect(&k.opts("ca.pem", "", mode), "localhost", &s).unwrap();
    }
}

#[test]
fn wrong_ca_fails() {
    let k = Certs::new();
    let s = k.opts("", "server.pem", UNSET);
    let r = connect(&k.opts("other-ca.pem", "", UNSET), "localhost", &s);
    assert!(
        matches!(r, Err(Failed::Client(rustls::Error::InvalidCertificate(_)))),
        "{r:?}"
    );
    // A server whose certificate the unrelated CA signed.
    let s = k.opts("", "other-server.pem", UNSET);
    for mode in [UNSET, NN_TLS_AUTH_MODE_OPTIONAL, NN_TLS_AUTH_MODE_REQUIRED] {
        let r = connect(&k.opts("ca.pem", "", mode), "localhost", &s);
        assert!(
            matches!(r, Err(Failed::Client(rustls::Error::InvalidCertificate(_)))),
            "{r:?}"
        );
    }
    // NONE takes it.
    connect(
        &k.opts("ca.pem", "", NN_TLS_AUTH_MODE_NONE),
        "localhost",
        &s,
    )
    .unwrap();
}

#[test]
fn wrong_name_fails() {
    let k = Certs::new();
    let s = k.opts("", "server.pem", UNSET);
    let mut c = k.opts("ca.pem", "", UNSET);
    c.server_name = b"example.com".to_vec();
    let r = connect(&c, "localhost", &s);
    assert!(
        matches!(r, Err(Failed::Client(rustls::Error::InvalidCertificate(_)))),
        "{r:?}"
    );
    assert!(matches!(
        connect(&k.opts("ca.pem", "", UNSET), "127.0.0.2", &s),
        Err(Failed::Client(_))
    ));
}

#[test]
fn required_client_cert_missing_or_foreign_fails() {
    let k = Certs::new();
    let s = k.opts("ca.pem", "server.pem", NN_TLS_AUTH_MODE_REQUIRED);
    let r = connect(&k.opts("ca.pem", "", UNSET), "localhost", &s);
    assert!(
        matches!(
            r,
            Err(Failed::Server(rustls::Error::NoCertificatesPresented))
        ),
        "{r:?}"
    );
    // A client certificate the listener's CA did not sign: refused under
    // OPTIONAL as well (presented, so verified).
    for mode in [NN_TLS_AUTH_MODE_OPTIONAL, NN_TLS_AUTH_MODE_REQUIRED] {
        let s = k.opts("ca.pem", "server.pem", mode);
        let r = connect(
            &k.opts("ca.pem", "other-server.pem", UNSET),
            "localhost",
            &s,
        );
        assert!(
            matches!(r, Err(Failed::Server(rustls::Error::InvalidCertificate(_)))),
            "{r:?}"
        );
    }
}

/// A server that presents our server certificate but signs with another
/// key (rustls's own builder refuses such a pair; a hostile server need
/// not): a dialer that verifies nothing still checks the signature.
#[test]
fn none_still_checks_handshake_signatures() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use rustls::server::{ClientHello, ResolvesServerCert};
    use rustls::sign::CertifiedKey;

    #[derive(Debug)]
    struct Fixed(Arc<CertifiedKey>);
    impl ResolvesServerCert for Fixed {
        fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
            Some(self.0.clone())
        }
    }
    let k = Certs::new();
    let pem = std::fs::read(k.dir.join("mismatch.pem")).unwrap();
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_slice(&pem).unwrap();
    let provider = rustls::crypto::ring::default_provider();
    let signer = provider.key_provider.load_private_key(key).unwrap();
    let ck = Arc::new(CertifiedKey::new(chain, signer));
    let provider = Arc::new(provider);
    for tls12 in [false, true] {
        let v: &[&rustls::SupportedProtocolVersion] = if tls12 {
            &[&rustls::version::TLS12]
        } else {
            &[&rustls::version::TLS13]
        };
        let sconf = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(v)
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Fixed(ck.clone())));
        let sconf = Arc::new(sconf);
        let d = client(&k.opts("", "", NN_TLS_AUTH_MODE_NONE), "localhost").unwrap();
        let c = ClientConnection::new(d.config, d.name).unwrap();
        let s = ServerConnection::new(sconf.clone()).unwrap();
        let r = handshake(c, s);
        assert!(
            matches!(r, Err(Failed::Client(rustls::Error::InvalidCertificate(_)))),
            "tls12 {tls12}: {r:?}"
        );
    }
}
