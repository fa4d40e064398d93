@testable import CallsCore
import Testing

/// Every range of the IANA special-purpose registries (and multicast, broadcast, non-global IPv6) is refused
/// as a callback address, at its first, last and some inner address; the addresses around are not.
@Suite struct SpecialPurposeAddressTests {
    /// (first, inner, last) of each refused block.
    @Test(arguments: [
        ("0.0.0.0", "0.1.2.3", "0.255.255.255"), ("10.0.0.0", "10.20.30.40", "10.255.255.255"),
        ("100.64.0.0", "100.100.0.1", "100.127.255.255"), ("127.0.0.0", "127.0.0.1", "127.255.255.255"),
        ("169.254.0.0", "169.254.169.254", "169.254.255.255"), ("172.16.0.0", "172.20.1.1", "172.31.255.255"),
        ("192.0.0.0", "192.0.0.9", "192.0.0.255"), ("192.0.2.0", "192.0.2.7", "192.0.2.255"),
        ("192.31.196.0", "192.31.196.1", "192.31.196.255"), ("192.52.193.0", "192.52.193.1", "192.52.193.255"),
        ("192.88.99.0", "192.88.99.1", "192.88.99.255"), ("192.168.0.0", "192.168.1.1", "192.168.255.255"),
        ("192.175.48.0", "192.175.48.1", "192.175.48.255"), ("198.18.0.0", "198.19.0.1", "198.19.255.255"),
        ("198.51.100.0", "198.51.100.7", "198.51.100.255"), ("203.0.113.0", "203.0.113.7", "203.0.113.255"),
        ("224.0.0.0", "239.1.2.3", "239.255.255.255"), ("240.0.0.0", "250.1.2.3", "255.255.255.255"),
    ])
    func ipv4SpecialPurposeBlocksAreRefused(first: String, inner: String, last: String) throws {
        for text in [first, inner, last] {
            #expect(try #require(InternetAddress(text)).isSpecialPurpose, "\(text)")
        }
    }

    @Test(arguments: [
        "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
        "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "191.255.255.255",
        "192.0.1.255", "192.0.3.0", "192.88.98.255", "192.88.100.0", "192.167.255.255", "192.169.0.0",
        "198.17.255.255", "198.20.0.0", "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0",
        "223.255.255.255",
    ])
    func ipv4AddressesAroundThemAreAllowed(text: String) throws {
        #expect(try #require(InternetAddress(text)).isSpecialPurpose == false)
    }

    /// (first, inner, last) of each refused block.
    @Test(arguments: [
        ("::", "::", "::"), ("::1", "::1", "::1"),
        ("::", "::102:304", "::ffff:ffff"),  // IPv4-compatible ::/96
        ("::ffff:0:0", "::ffff:10.0.0.1", "::ffff:127.255.255.255"),  // mapped, internal IPv4
        ("::ffff:0:0:0", "::ffff:0:8.8.8.8", "::ffff:0:ffff:ffff"),  // SIIT IPv4-translated
        ("64:ff9b::", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1"),  // NAT64 to internal IPv4
        ("64:ff9b:1::", "64:ff9b:1::808:808", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"),
        ("100::", "100::1", "100::ffff:ffff:ffff:ffff"), ("100:0:0:1::", "100:0:0:1::1", "100:0:0:1:ffff:ffff:ffff:ffff"),
        ("2001::", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff"),  // incl. Teredo
        ("2001:db8::", "2001:db8::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("2002::", "2002:808:808::1", "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),  // 6to4, even of a public IPv4
        ("2620:4f:8000::", "2620:4f:8000::1", "2620:4f:8000:ffff:ffff:ffff:ffff:ffff"),
        ("3fff::", "3fff:1::1", "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("5f00::", "5f00::1", "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("fc00::", "fd12:3456::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("fe80::", "fe80::1", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("fec0::", "fec0::1", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        ("ff00::", "ff02::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ])
    func ipv6SpecialPurposeBlocksAreRefused(first: String, inner: String, last: String) throws {
        for text in [first, inner, last] {
            #expect(try #require(InternetAddress(text)).isSpecialPurpose, "\(text)")
        }
    }

    /// Global unicast, and IPv4 behind a mapped or NAT64 address when that IPv4 address is public.
    @Test(arguments: [
        "2a00:1450:4001:80b::200e", "2606:4700::1111", "2001:200::1", "2001:db7:ffff::1", "2001:db9::1",
        "2003::1", "2620:4f:7fff::1", "3ffe:ffff::1", "2c0f:f248::1", "::ffff:8.8.8.8", "64:ff9b::808:808",
    ])
    func ipv6AddressesAroundThemAreAllowed(text: String) throws {
        #expect(try #require(InternetAddress(text)).isSpecialPurpose == false, "\(text)")
    }

    @Test func legacyIPv4SpellingsAreReadAsTheResolverReadsThem() {
        #expect(InternetAddress(hostSpelling: "127.1")?.description == "127.0.0.1")
        #expect(InternetAddress(hostSpelling: "0x7f.1")?.description == "127.0.0.1")
        #expect(InternetAddress(hostSpelling: "2130706433")?.description == "127.0.0.1")
        #expect(InternetAddress(hostSpelling: "0251.0376.0251.0376")?.description == "169.254.169.254")
        #expect(InternetAddress(hostSpelling: "crm.example.com") == nil)
        #expect(InternetAddress("127.1") == nil, "the standard form only")
        #expect(InternetAddress("::ffff:127.0.0.1")?.description == "::ffff:127.0.0.1")
    }
}
