extension InternetAddress {
    /// True for every address a public callback must never reach: the IANA IPv4 and IPv6 special-purpose
    /// address registries (loopback, private, shared, link-local, documentation, benchmarking, reserved,
    /// protocol assignments, 6to4, Teredo, …), multicast and broadcast, and all IPv6 outside global unicast
    /// `2000::/3`. An IPv6 address that carries an IPv4 one a translator will reach (mapped, or the NAT64
    /// well-known prefix) is judged by that IPv4 address.
    public var isSpecialPurpose: Bool {
        if isIPv4 { return Self.specialIPv4.contains { $0.contains(self) } }
        if let embedded = translatedIPv4 { return embedded.isSpecialPurpose }
        guard Self.globalUnicast.contains(self) else { return true }
        return Self.specialGlobalIPv6.contains { $0.contains(self) }
    }

    /// The IPv4 address behind `::ffff:0:0/96` (IPv4-mapped: the socket speaks IPv4 to it) and
    /// `64:ff9b::/96` (RFC 6052 well-known NAT64 prefix: DNS64 synthesizes these for IPv4-only hosts, and
    /// the translator forwards to the embedded address, which may well be internal).
    var translatedIPv4: InternetAddress? {
        guard !isIPv4, Self.ipv4Mapped.contains(self) || Self.nat64WellKnown.contains(self) else { return nil }
        return InternetAddress(bytes: Array(bytes[12..<16]))
    }

    static let ipv4Mapped = AddressBlock("::ffff:0:0/96")
    static let nat64WellKnown = AddressBlock("64:ff9b::/96")
    static let globalUnicast = AddressBlock("2000::/3")

    /// IANA IPv4 Special-Purpose Address Registry, whole blocks (also the few globally reachable entries such
    /// as AS112 and AMT: no receiver lives there), plus multicast `224/4`. `240/4` holds the broadcast address.
    static let specialIPv4 = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ].map(AddressBlock.init)

    /// The IANA IPv6 Special-Purpose Address Registry entries inside `2000::/3`: IETF protocol assignments
    /// (Teredo `2001::/32`, ORCHID, AMT, …), documentation, 6to4, AS112 and the newer documentation prefix.
    /// Those outside it (`::/128`, `::1`, IPv4-compatible `::/96`, `64:ff9b:1::/48`, `100::/64`,
    /// `5f00::/16`, `fc00::/7`, `fe80::/10`, site-local `fec0::/10`, multicast `ff00::/8`) are refused as
    /// not global unicast.
    static let specialGlobalIPv6 = [
        "2001::/23", "2001::/32", "2001:db8::/32", "2002::/16", "2620:4f:8000::/48", "3fff::/20",
    ].map(AddressBlock.init)
}

/// A network written as `address/prefix length`.
struct AddressBlock: Sendable {
    let network: InternetAddress
    let prefixLength: Int

    /// For literal tables only: a malformed block is a programming error.
    init(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let network = InternetAddress(String(parts[0])), let length = Int(parts[1]),
            length >= 0, length <= network.bytes.count * 8
        else { preconditionFailure("not an address block: \(text)") }
        self.network = network
        prefixLength = length
    }

    func contains(_ address: InternetAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        for index in 0..<network.bytes.count {
            let bits = min(max(prefixLength - index * 8, 0), 8)
            guard bits > 0 else { return true }
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address.bytes[index] & mask != network.bytes[index] & mask { return false }
        }
        return true
    }
}
