//! Free loopback ports.

use std::net::{Ipv4Addr, TcpListener};

/// A TCP port on 127.0.0.1 that was free a moment ago: bound to port 0, read back,
/// released. Another process may take it before the peer binds it, so spawners retry
/// on a new port when the bind fails.
pub fn free_port() -> u16 {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding 127.0.0.1:0 to find a port");
    listener
        .local_addr()
        .expect("local address of a bound listener")
        .port()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_is_usually_bindable() {
        // Another process may take a port in between (that race is why spawners retry),
        // so allow a few attempts.
        let bound = (0..5).any(|_| {
            let port = free_port();
            assert_ne!(port, 0);
            TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
        });
        assert!(bound);
    }
}
