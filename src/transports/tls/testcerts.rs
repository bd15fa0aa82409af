//! Certificates made at test time (rcgen), written as PEM files into a
//! directory of their own that goes when the `Certs` is dropped: a CA, a
//! server certificate for localhost and 127.0.0.1 and a client
//! certificate it signed, and a second CA that signed nothing of ours.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use crate::core::options::TlsOpts;

pub struct Certs {
    pub dir: PathBuf,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap()
}

/// A leaf signed by `issuer`: (certificate PEM, key PEM).
fn leaf(
    issuer: &CertifiedIssuer<'static, KeyPair>,
    names: &[&str],
    eku: ExtendedKeyUsagePurpose,
) -> (String, String) {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut p = CertificateParams::new(names).unwrap();
    p.distinguished_name
        .push(DnType::CommonName, "nanomsg test");
    p.extended_key_usages = vec![eku];
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

impl Certs {
    pub fn new() -> Certs {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "nn-tls-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let ca1 = ca("nanomsg test CA");
        let ca2 = ca("unrelated CA");
        let (scert, skey) = leaf(
            &ca1,
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let (ccert, ckey) = leaf(&ca1, &["client"], ExtendedKeyUsagePurpose::ClientAuth);
        // Signed by the unrelated CA, for the same names.
        let (ocert, okey) = leaf(
            &ca2,
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
        );
        let files: &[(&str, String)] = &[
            ("ca.pem", ca1.pem()),
            ("other-ca.pem", ca2.pem()),
            ("server.pem", format!("{scert}{skey}")),
            ("client.pem", format!("{ccert}{ckey}")),
            ("other-server.pem", format!("{ocert}{okey}")),
            // The key first, then the chain: order does not matter.
            (
                "server-key-first.pem",
                format!("{skey}{scert}{}", ca1.pem()),
            ),
            ("server-cert-only.pem", scert.clone()),
            ("server-key-only.pem", skey.clone()),
            // The server's certificate with the client's key.
            ("mismatch.pem", format!("{scert}{ckey}")),
            ("garbage.pem", "not a PEM file at all\n".into()),
            ("empty.pem", String::new()),
            (
                "bad-base64.pem",
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".into(),
            ),
            (
                "not-a-cert.pem",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into(),
            ),
        ];
        for (name, body) in files {
            std::fs::write(dir.join(name), body).unwrap();
        }
        Certs { dir }
    }

    /// A file's path, as the option stores it.
    pub fn path(&self, name: &str) -> Vec<u8> {
        use std::os::unix::ffi::OsStrExt;
        self.dir.join(name).as_os_str().as_bytes().to_vec()
    }

    /// Options naming files of this directory ("" = unset).
    pub fn opts(&self, ca: &str, cert_key: &str, mode: i32) -> TlsOpts {
        let p = |n: &str| {
            if n.is_empty() {
                Vec::new()
            } else {
                self.path(n)
            }
        };
        TlsOpts {
            ca_file: p(ca),
            cert_key_file: p(cert_key),
            server_name: Vec::new(),
            auth_mode: mode,
        }
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
