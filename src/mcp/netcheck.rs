//! Refusing private destinations for remote probes: a registry entry must not
//! make the crawler reach loopback services, the LAN or a cloud metadata
//! endpoint. Every resolved address is checked (one bad address refuses the
//! host), and the HTTP client resolves through [`GuardedResolver`] so the
//! address connected to is the address checked (no DNS rebinding window).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::conn::ConnError;

/// Why an address is off limits, or `None` when it is a public address.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if o == [169, 254, 169, 254] || o == [100, 100, 100, 200] {
        Some("cloud metadata")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_private() {
        Some("private")
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        Some("shared (CGNAT)")
    } else if ip.is_broadcast() || ip.is_multicast() || o[0] >= 240 {
        Some("broadcast, multicast or reserved")
    } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        Some("IETF protocol assignment")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    let s = ip.segments();
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        let o = ip.octets();
        return forbidden_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some("unique local (ULA)")
    } else if (s[0] & 0xffc0) == 0xfe80 || (s[0] & 0xffc0) == 0xfec0 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

/// Resolves the URL's host and refuses it when any address is private.
pub async fn check_url(url: &Url, allow_private: bool) -> Result<(), ConnError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConnError::NotMcp(format!(
            "unsupported URL scheme {:?}",
            url.scheme()
        )));
    }
    if allow_private {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match url.host() {
        None => return Err(ConnError::Unreachable(format!("{url} has no host"))),
        Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(Host::Domain(d)) => {
            if d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
            {
                return Err(refused(d, "loopback"));
            }
            tokio::net::lookup_host((d, port))
                .await
                .map_err(|e| ConnError::Unreachable(format!("cannot resolve {d}: {e}")))?
                .map(|a| a.ip())
                .collect()
        }
    };
    for ip in addrs {
        if let Some(why) = forbidden(ip) {
            return Err(refused(url.host_str().unwrap_or_default(), why).with_ip(ip));
        }
    }
    Ok(())
}

fn refused(host: &str, why: &str) -> ConnError {
    ConnError::RefusedPrivateAddress(host.to_string(), why.to_string(), None)
}

impl ConnError {
    fn with_ip(self, ip: IpAddr) -> ConnError {
        match self {
            ConnError::RefusedPrivateAddress(h, w, _) => {
                ConnError::RefusedPrivateAddress(h, w, Some(ip))
            }
            other => other,
        }
    }
}

/// A DNS resolver for reqwest that never hands back a forbidden address.
#[derive(Clone, Debug)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(bad) = addrs.iter().find(|a| forbidden(a.ip()).is_some()) {
                return Err(format!("{host} resolves to a refused address {}", bad.ip()).into());
            }
            let out: Addrs = Box::new(addrs.into_iter());
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_refused_public_ones_not() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(
                forbidden(bad.parse().unwrap()).is_some(),
                "{bad} should be refused"
            );
        }
        for good in ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "172.32.0.1"] {
            assert!(
                forbidden(good.parse().unwrap()).is_none(),
                "{good} should pass"
            );
        }
    }

    #[tokio::test]
    async fn urls_naming_private_hosts_are_refused() {
        for u in [
            "http://127.0.0.1:9/mcp",
            "http://localhost/mcp",
            "http://[::1]/",
            "http://169.254.169.254/latest",
        ] {
            let e = check_url(&Url::parse(u).unwrap(), false).await.unwrap_err();
            assert!(
                matches!(e, ConnError::RefusedPrivateAddress(..)),
                "{u}: {e}"
            );
        }
        assert!(check_url(&Url::parse("http://127.0.0.1:9/").unwrap(), true)
            .await
            .is_ok());
    }
}
