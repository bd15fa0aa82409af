//! From the `NN_TLS` option values to a rustls configuration, as pure
//! functions (they read only the files the options name): a dialer's
//! [`ClientConfig`] and the name it checks on the server's certificate,
//! or a listener's [`ServerConfig`]; or the errno `nn_connect`/`nn_bind`
//! reports, with a sentence for `NN_PRINT_ERRORS`.
//!
//! What nng's options mean here:
//! - a dialer verifies the server's certificate against `NN_TLS_CA_FILE`
//!   unless its mode is `NN_TLS_AUTH_MODE_NONE` (unset and `OPTIONAL` both
//!   verify: a TLS server always presents a certificate), by the name in
//!   `NN_TLS_SERVER_NAME` or else the URL's host (also sent as SNI). With
//!   `NONE` any certificate is taken, but the handshake's signatures are
//!   still checked against it. It presents `NN_TLS_CERT_KEY_FILE` when set.
//! - a listener needs `NN_TLS_CERT_KEY_FILE`; it asks for no client
//!   certificate unless its mode is `OPTIONAL` (a presented one is
//!   verified against `NN_TLS_CA_FILE`) or `REQUIRED` (one must be).
//!
//! TLS 1.3 and 1.2, the `ring` provider's cipher suites, no ALPN.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use crate::consts::{NN_TLS_AUTH_MODE_NONE, NN_TLS_AUTH_MODE_OPTIONAL, NN_TLS_AUTH_MODE_REQUIRED};
use crate::core::error::Error;
use crate::core::options::TlsOpts;

/// The largest PEM file read (a CA bundle is a few hundred KiB).
const PEM_MAX: u64 = 4 << 20;

/// Why a configuration could not be made: the errno, and what to print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub err: Error,
    pub what: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

fn inval(what: impl Into<String>) -> ConfigError {
    ConfigError {
        err: Error::INVAL,
        what: what.into(),
    }
}

/// What a dialer needs for each connection it makes.
#[derive(Clone, Debug)]
pub struct Dial {
    pub config: Arc<ClientConfig>,
    /// Checked on the server's certificate and sent as SNI.
    pub name: ServerName<'static>,
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

const VERSIONS: &[&rustls::SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

/// A dialer's configuration. `host` is the URL's host (brackets around an
/// IPv6 address allowed).
pub fn client(opts: &TlsOpts, host: &str) -> Result<Dial, ConfigError> {
    let name = server_name(opts, host)?;
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(VERSIONS)
        .map_err(|e| inval(format!("TLS: {e}")))?;
    let builder = if opts.auth_mode == NN_TLS_AUTH_MODE_NONE {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCert { provider }))
    } else {
        let roots = roots(opts, "a dialer that verifies the server")?;
        builder.with_root_certificates(roots)
    };
    let config = if opts.cert_key_file.is_empty() {
        builder.with_no_client_auth()
    } else {
        let (chain, key) = cert_key(&opts.cert_key_file)?;
        builder
            .with_client_auth_cert(chain, key)
            .map_err(|e| key_error(&opts.cert_key_file, e))?
    };
    Ok(Dial {
        config: Arc::new(config),
        name,
    })
}

/// A listener's configuration.
pub fn server(opts: &TlsOpts) -> Result<Arc<ServerConfig>, ConfigError> {
    if opts.cert_key_file.is_empty() {
        return Err(inval(
            "TLS: a listener needs a certificate and key (NN_TLS_CERT_KEY_FILE)",
        ));
    }
    let (chain, key) = cert_key(&opts.cert_key_file)?;
    let provider = provider();
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(VERSIONS)
        .map_err(|e| inval(format!("TLS: {e}")))?;
    let builder = match opts.auth_mode {
        NN_TLS_AUTH_MODE_OPTIONAL | NN_TLS_AUTH_MODE_REQUIRED => {
            let roots = Arc::new(roots(opts, "a listener that verifies clients")?);
            let v = WebPkiClientVerifier::builder_with_provider(roots, provider);
            let v = if opts.auth_mode == NN_TLS_AUTH_MODE_OPTIONAL {
                v.allow_unauthenticated()
            } else {
                v
            };
            let v = v.build().map_err(|e| inval(format!("TLS: {e}")))?;
            builder.with_client_cert_verifier(v)
        }
        _ => builder.with_no_client_auth(),
    };
    let config = builder
        .with_single_cert(chain, key)
        .map_err(|e| key_error(&opts.cert_key_file, e))?;
    Ok(Arc::new(config))
}

/// The name a dialer checks: `NN_TLS_SERVER_NAME`, else the URL's host.
fn server_name(opts: &TlsOpts, host: &str) -> Result<ServerName<'static>, ConfigError> {
    let name: &[u8] = if opts.server_name.is_empty() {
        let h = host.as_bytes();
        h.strip_prefix(b"[")
            .and_then(|h| h.strip_suffix(b"]"))
            .unwrap_or(h)
    } else {
        &opts.server_name
    };
    let bad = || inval(format!("TLS: invalid server name {:?}", show(name)));
    let s = std::str::from_utf8(name).map_err(|_| bad())?;
    ServerName::try_from(s.to_owned()).map_err(|_| bad())
}

/// The CA file's certificates, which must be set and hold at least one
/// usable certificate.
fn roots(opts: &TlsOpts, who: &str) -> Result<RootCertStore, ConfigError> {
    if opts.ca_file.is_empty() {
        return Err(inval(format!(
            "TLS: {who} needs a CA file (NN_TLS_CA_FILE)"
        )));
    }
    let pem = read_file(&opts.ca_file)?;
    let mut roots = RootCertStore::empty();
    let mut certs = Vec::new();
    for c in CertificateDer::pem_slice_iter(&pem) {
        certs.push(c.map_err(|e| bad_pem(&opts.ca_file, e))?);
    }
    let (ok, _) = roots.add_parsable_certificates(certs);
    if ok == 0 {
        return Err(inval(format!(
            "TLS: no usable CA certificate in {}",
            show(&opts.ca_file)
        )));
    }
    Ok(roots)
}

/// The certificate chain (ours first) and the private key of one PEM file.
fn cert_key(
    path: &[u8],
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), ConfigError> {
    let pem = read_file(path)?;
    let mut chain = Vec::new();
    for c in CertificateDer::pem_slice_iter(&pem) {
        chain.push(c.map_err(|e| bad_pem(path, e))?);
    }
    if chain.is_empty() {
        return Err(inval(format!("TLS: no certificate in {}", show(path))));
    }
    let key = PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|_| inval(format!("TLS: no private key in {}", show(path))))?;
    Ok((chain, key))
}

fn bad_pem(path: &[u8], e: rustls_pki_types::pem::Error) -> ConfigError {
    inval(format!("TLS: {}: {e}", show(path)))
}

fn key_error(path: &[u8], e: rustls::Error) -> ConfigError {
    inval(format!("TLS: {}: {e}", show(path)))
}

/// A file's bytes. ENOENT or EACCES when it cannot be opened for that
/// reason; EINVAL for anything but a regular file (opened without
/// blocking, so a FIFO does not hang the caller), a read error, or more
/// than [`PEM_MAX`] bytes.
fn read_file(path: &[u8]) -> Result<Vec<u8>, ConfigError> {
    let p = std::ffi::OsStr::from_bytes(path);
    let io_err = |e: io::Error| ConfigError {
        err: errno_of(&e),
        what: format!("TLS: {}: {e}", show(path)),
    };
    let f = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(p)
        .map_err(io_err)?;
    if !f.metadata().map_err(io_err)?.is_file() {
        return Err(inval(format!("TLS: {} is not a file", show(path))));
    }
    let mut out = Vec::new();
    f.take(PEM_MAX + 1).read_to_end(&mut out).map_err(io_err)?;
    if out.len() as u64 > PEM_MAX {
        return Err(inval(format!("TLS: {} is too big", show(path))));
    }
    Ok(out)
}

/// The errno for a file that cannot be read: ENOENT when it (or a
/// directory on its path) is not there, EACCES when it may not be read,
/// EINVAL for anything else.
pub(super) fn errno_of(e: &io::Error) -> Error {
    match e.raw_os_error() {
        Some(libc::ENOENT) | Some(libc::ENOTDIR) => Error(libc::ENOENT),
        Some(libc::EACCES) | Some(libc::EPERM) => Error(libc::EACCES),
        _ => Error::INVAL,
    }
}

/// A path or name for a message (lossy, at most 200 bytes of it).
fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(200)]).into_owned()
}

/// `NN_TLS_AUTH_MODE_NONE` on a dialer: any certificate is taken, but the
/// handshake's signatures are verified against it as usual (so the peer
/// must hold the certificate's key, and the session is not tampered with).
#[derive(Debug)]
struct AnyCert {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
