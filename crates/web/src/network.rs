//! Where a request comes from: the peer address, or — only when the peer is a configured trusted
//! proxy — the client it forwarded for; and which addresses may reach administrator routes.

use std::net::IpAddr;

use ipnet::IpNet;

/// The network settings of a server.
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    /// Address ranges administrator routes answer (default: this machine only).
    pub admin_from: Vec<IpNet>,
    /// Proxies whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Mark the session cookie `Secure` (behind TLS).
    pub secure_cookies: bool,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            admin_from: vec![
                "127.0.0.0/8".parse().expect("a valid range"),
                "::1/128".parse().expect("a valid range"),
            ],
            trusted_proxies: Vec::new(),
            secure_cookies: false,
        }
    }
}

/// Parses a comma-separated list of address ranges (`10.0.0.0/8,::1/128`; a bare address is a
/// range of one).
pub fn parse_ranges(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("`{s}` is not an address range (expected e.g. 10.0.0.0/8)"))
        })
        .collect()
}

fn within(ranges: &[IpNet], ip: IpAddr) -> bool {
    ranges.iter().any(|r| r.contains(&ip))
}

impl NetworkConfig {
    /// The client of a request whose TCP peer is `peer`: the peer itself, unless it is a trusted
    /// proxy, in which case the nearest address in `X-Forwarded-For` that is not a trusted proxy.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !within(&self.trusted_proxies, peer) {
            return peer;
        }
        forwarded_for
            .into_iter()
            .flat_map(|h| h.rsplit(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .find(|a| !within(&self.trusted_proxies, *a))
            .unwrap_or(peer)
    }

    /// Whether administrator routes answer `client`. A request with no network peer (served
    /// in-process) is local.
    pub fn admin_allowed(&self, client: Option<IpAddr>) -> bool {
        client.is_none_or(|ip| within(&self.admin_from, ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let config = NetworkConfig {
            trusted_proxies: parse_ranges("10.0.0.0/8").unwrap(),
            ..NetworkConfig::default()
        };
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(
            config.client(proxy, Some("198.51.100.7, 10.9.9.9")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            config.client(stranger, Some("127.0.0.1")),
            stranger,
            "spoofed header ignored"
        );
        assert_eq!(config.client(proxy, None), proxy);
    }

    #[test]
    fn administrator_routes_answer_only_configured_ranges() {
        let config = NetworkConfig::default();
        assert!(config.admin_allowed(Some("127.0.0.1".parse().unwrap())));
        assert!(config.admin_allowed(Some("::1".parse().unwrap())));
        assert!(!config.admin_allowed(Some("192.0.2.1".parse().unwrap())));
        assert!(config.admin_allowed(None), "in-process requests are local");
        assert!(parse_ranges("10.0.0.0/8, 192.0.2.4").is_ok());
        assert!(
            parse_ranges("not-a-range")
                .unwrap_err()
                .contains("not-a-range")
        );
    }
}
