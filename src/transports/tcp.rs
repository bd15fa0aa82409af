//! tcp: addresses and endpoints (sp-tcp-mapping-01).
//!
//! `tcp://host:port` to connect, where host is an IPv4 address, an IPv6
//! address in brackets or a DNS name (resolved off the caller's thread);
//! `tcp://local;host:port` connects from a local interface or address.
//! `tcp://iface:port` to bind, where iface is `*`, an address or an
//! interface name (`lo`). `NN_IPV4ONLY` (default 1) keeps everything IPv4.

use std::ffi::CStr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use crate::core::error::{Error, Result};
use crate::transports::dest::{Dest, DialSpec};

/// `host:port` split, the host without brackets. EINVAL when malformed.
pub(crate) fn split_host_port(s: &str) -> Result<(&str, u16)> {
    let (host, port) = s.rsplit_once(':').ok_or(Error::INVAL)?;
    // "[addr]" is an IPv6 literal; an unclosed bracket stays in the host,
    // which then names nothing (ENODEV on bind, EINVAL on connect).
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Ok((host, parse_port(port)?))
}

/// A port is 1 to 65535, in decimal digits only (leading zeros allowed).
pub(crate) fn parse_port(p: &str) -> Result<u16> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::INVAL);
    }
    match p.trim_start_matches('0').parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        _ => Err(Error::INVAL),
    }
}

/// A DNS name as RFC 1123 allows one: labels of letters, digits and
/// hyphens, not starting or ending with a hyphen.
pub(crate) fn valid_hostname(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The address of a local interface by name (`lo`, `eth0`).
pub(crate) fn interface_addr(name: &str, ipv4only: bool) -> Option<IpAddr> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs only writes the list's head into `head`, a valid
    // pointer to a local; the list is freed below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return None;
    }
    let mut v4 = None;
    let mut v6 = None;
    let mut p = head;
    while !p.is_null() {
        // SAFETY: p is non-null and walks the list getifaddrs returned
        // (each entry's ifa_next); entries stay valid and unchanged until
        // freeifaddrs below, after the last use of `ifa`.
        let ifa = unsafe { &*p };
        p = ifa.ifa_next;
        if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
            continue;
        }
        // SAFETY: ifa_name is non-null (checked) and points to a
        // NUL-terminated string owned by the list, alive until freeifaddrs.
        let n = unsafe { CStr::from_ptr(ifa.ifa_name) };
        if n.to_bytes() != name.as_bytes() {
            continue;
        }
        // SAFETY: ifa_addr is non-null (checked) and points to a socket
        // address owned by the list; every one starts with sa_family.
        let fam = unsafe { (*ifa.ifa_addr).sa_family } as i32;
        if fam == libc::AF_INET && v4.is_none() {
            // SAFETY: with family AF_INET, ifa_addr points to a whole,
            // aligned sockaddr_in owned by the list (getifaddrs(3)).
            let sin = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
            v4 = Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                sin.sin_addr.s_addr,
            ))));
        } else if fam == libc::AF_INET6 && v6.is_none() {
            // SAFETY: with family AF_INET6, ifa_addr points to a whole,
            // aligned sockaddr_in6 owned by the list (getifaddrs(3)).
            let sin6 = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in6) };
            v6 = Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)));
        }
    }
    // SAFETY: head came from a successful getifaddrs and is freed once;
    // no reference into the list outlives the loop above.
    unsafe { libc::freeifaddrs(head) };
    if ipv4only {
        v4
    } else {
        v6.or(v4)
    }
}

fn literal(host: &str) -> Option<IpAddr> {
    host.parse::<IpAddr>().ok()
}

/// Resolve a name (blocking: called on a resolver thread).
pub(crate) fn resolve(host: &str, port: u16, ipv4only: bool) -> Option<SocketAddr> {
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs().ok()?.collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| if ipv4only { None } else { addrs.first() })
        .copied()
}

/// Is `s` connected to itself? A connect to a local port in the ephemeral
/// range (`ip_local_port_range`) where nothing listens can meet itself:
/// when the kernel picks that very port as the source, the SYN opens the
/// connection simultaneously with itself (local address == peer address).
/// Such a socket is no peer (a PAIR would talk to itself) and holds the
/// port a listener may want. When it is one, it is disconnected here
/// without a FIN (`connect(AF_UNSPEC)`, which resets the connection and
/// frees the port at once; a FIN to itself would keep the port in
/// TIME_WAIT for a minute) and the caller treats it as a failed attempt.
pub(crate) fn drop_if_self_connected(s: &socket2::Socket) -> bool {
    let (Ok(local), Ok(peer)) = (s.local_addr(), s.peer_addr()) else {
        return false;
    };
    match (local.as_socket(), peer.as_socket()) {
        (Some(l), Some(p)) if l == p => {}
        _ => return false,
    }
    let _ = s.set_linger(Some(std::time::Duration::ZERO));
    // SAFETY: sockaddr is a plain C struct of integers, for which all
    // zeros is a valid value.
    let mut unspec: libc::sockaddr = unsafe { std::mem::zeroed() };
    unspec.sa_family = libc::AF_UNSPEC as libc::sa_family_t;
    // SAFETY: the descriptor is open for the call (the caller lends us the
    // socket that holds it), and `unspec` is an initialized sockaddr of
    // exactly the length passed, which connect only reads.
    unsafe {
        libc::connect(
            std::os::fd::AsRawFd::as_raw_fd(s),
            &unspec,
            std::mem::size_of::<libc::sockaddr>() as libc::socklen_t,
        )
    };
    true
}

/// A local address named by an interface or a literal (bind, and the local
/// part of a connect).
fn local_addr(name: &str, ipv4only: bool) -> Result<IpAddr> {
    let name = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    if let Some(ip) = literal(name) {
        if ipv4only && ip.is_ipv6() {
            return Err(Error(libc::ENODEV));
        }
        return Ok(ip);
    }
    interface_addr(name, ipv4only).ok_or(Error(libc::ENODEV))
}

/// Where `tcp://` (or `ws://`, without its path) binds.
pub(crate) fn bind_addr(rest: &str, ipv4only: bool) -> Result<SocketAddr> {
    let (host, port) = split_host_port(rest)?;
    // As upstream: a host that names no local interface is ENODEV.
    if host.is_empty() {
        return Err(Error(libc::ENODEV));
    }
    let ip = if host == "*" {
        if ipv4only {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            IpAddr::V6(Ipv6Addr::UNSPECIFIED)
        }
    } else {
        local_addr(host, ipv4only)?
    };
    Ok(SocketAddr::new(ip, port))
}

/// Where `tcp://` (or `ws://`, without its path) connects.
pub(crate) fn dial_spec(rest: &str, ipv4only: bool) -> Result<DialSpec> {
    let (local, remote) = match rest.split_once(';') {
        Some((l, r)) => (Some(l), r),
        None => (None, rest),
    };
    let (host, port) = split_host_port(remote)?;
    if host.is_empty() {
        return Err(Error::INVAL);
    }
    // The remote part is checked first: it decides between EINVAL and
    // a local part's ENODEV, as upstream.
    let dest = match literal(host) {
        Some(ip) if ipv4only && ip.is_ipv6() => return Err(Error::INVAL),
        Some(ip) => Dest::Addrs(vec![SocketAddr::new(ip, port)]),
        None if valid_hostname(host) => Dest::Resolve {
            host: host.to_string(),
            port,
            ipv4only,
        },
        None => return Err(Error::INVAL),
    };
    let local = match local {
        Some("") => return Err(Error(libc::ENODEV)),
        Some(l) => Some(local_addr(l, ipv4only)?),
        None => None,
    };
    Ok(DialSpec {
        dest,
        local,
        ws: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports() {
        assert_eq!(parse_port("5555"), Ok(5555));
        assert_eq!(parse_port("65535"), Ok(65535));
        assert_eq!(parse_port("021006"), Ok(21006));
        for bad in ["", "0", "000", "65536", "12a", "-1", "+5", "123456"] {
            assert_eq!(parse_port(bad), Err(Error::INVAL), "{bad}");
        }
    }

    #[test]
    fn host_and_port() {
        assert_eq!(split_host_port("127.0.0.1:80"), Ok(("127.0.0.1", 80)));
        assert_eq!(split_host_port("[::1]:80"), Ok(("::1", 80)));
        assert_eq!(split_host_port("*:1"), Ok(("*", 1)));
        assert!(split_host_port("127.0.0.1").is_err());
        assert_eq!(split_host_port("[::1:80"), Ok(("[::1", 80)));
    }

    #[test]
    fn bind_addresses() {
        assert_eq!(
            bind_addr("*:5555", true),
            Ok("0.0.0.0:5555".parse().unwrap())
        );
        assert_eq!(
            bind_addr("lo:5555", true),
            Ok("127.0.0.1:5555".parse().unwrap())
        );
        assert_eq!(bind_addr("nosuchif0:5555", true), Err(Error(libc::ENODEV)));
        assert_eq!(
            bind_addr("[::1]:5555", false),
            Ok("[::1]:5555".parse().unwrap())
        );
        assert_eq!(bind_addr(":5555", true), Err(Error(libc::ENODEV)));
        assert_eq!(bind_addr("[::1]:5555", true), Err(Error(libc::ENODEV)));
    }

    #[test]
    fn dial_addresses() {
        assert!(dial_spec("127.0.0.1:1", true).is_ok());
        assert!(dial_spec("lo;127.0.0.1:1", true).unwrap().local.is_some());
        assert!(matches!(
            dial_spec("localhost:1", true).unwrap().dest,
            Dest::Resolve { .. }
        ));
        assert_eq!(dial_spec("bad_host!:1", true).err(), Some(Error::INVAL));
        assert_eq!(
            dial_spec(";127.0.0.1:1", true).err(),
            Some(Error(libc::ENODEV))
        );
        assert_eq!(dial_spec("[::1]:1", true).err(), Some(Error::INVAL));
        assert!(dial_spec("[::1]:1", false).is_ok());
        assert_eq!(
            dial_spec("nosuchif0;127.0.0.1:1", true).err(),
            Some(Error(libc::ENODEV))
        );
    }

    #[test]
    fn hostnames() {
        assert!(valid_hostname("localhost"));
        assert!(valid_hostname("a-b.example.com"));
        assert!(!valid_hostname("-a"));
        assert!(!valid_hostname("a..b"));
        assert!(!valid_hostname("a b"));
    }
}
