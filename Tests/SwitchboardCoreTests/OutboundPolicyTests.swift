import Testing
import SwitchboardCore

/// The outbound SSRF policy: address parsing, categories for IPv4, IPv6 and embedded forms, allow-lists.
@Suite struct OutboundPolicyTests {
    private let strict = OutboundPolicy()

    private func category(_ text: String) -> AddressCategory? {
        guard let address = IPAddress(text) else {
            Issue.record("\(text) did not parse")
            return nil
        }
        return AddressCategory.of(address)
    }

    @Test func parsesAndFormatsAddresses() throws {
        #expect(IPAddress("10.1.2.3")?.bytes == [10, 1, 2, 3])
        #expect(IPAddress("10.1.2.3")?.family == .ipv4)
        #expect(IPAddress("::1")?.bytes == [UInt8](repeating: 0, count: 15) + [1])
        #expect(IPAddress("::1")?.family == .ipv6)
        #expect(IPAddress("2001:DB8:0:0::1")?.description == "2001:db8::1")
        #expect(IPAddress("::ffff:127.0.0.1")?.description == "::ffff:127.0.0.1")
        #expect(IPAddress(192, 168, 0, 1).description == "192.168.0.1")
        for bad in ["", "127.1", "2130706433", "0x7f.0.0.1", "256.0.0.1", "1.2.3.4.5", "[::1]", "fe80::1%eth0",
                    "::1:", "localhost", " 1.2.3.4", "1::2::3"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [1, 2, 3, 4])?.description == "1.2.3.4")
    }

    @Test(arguments: [
        ("0.0.0.0", AddressCategory.unspecified), ("0.1.2.3", .unspecified),
        ("127.0.0.1", .loopback), ("127.255.255.254", .loopback),
        ("10.0.0.1", .privateNetwork), ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork),
        ("192.168.1.1", .privateNetwork),
        ("100.64.0.1", .carrierGradeNAT), ("100.127.255.255", .carrierGradeNAT),
        ("169.254.1.1", .linkLocal),
        ("169.254.169.254", .metadata), ("169.254.170.2", .metadata), ("100.100.100.200", .metadata),
        ("168.63.129.16", .metadata),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast),
        ("255.255.255.255", .broadcast),
        ("240.0.0.1", .reserved), ("255.255.255.254", .reserved), ("192.0.0.8", .reserved), ("192.88.99.1", .reserved),
        ("198.18.0.1", .benchmarking), ("198.19.255.255", .benchmarking),
        ("192.0.2.1", .documentation), ("198.51.100.7", .documentation), ("203.0.113.9", .documentation),
    ])
    func ipv4Categories(_ text: String, _ expected: AddressCategory) {
        #expect(category(text) == expected, "\(text)")
        #expect(IPAddress(text).map(strict.check) == .refused(expected), "\(text)")
    }

    @Test(arguments: [
        ("::", AddressCategory.unspecified), ("::1", .loopback),
        ("fc00::1", .privateNetwork), ("fd12:3456::1", .privateNetwork), ("64:ff9b:1::a00:1", .privateNetwork),
        ("fec0::1", .siteLocal),
        ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
        ("fd00:ec2::254", .metadata),
        ("ff02::1", .multicast), ("ff0e::101", .multicast),
        ("2001:db8::1", .documentation), ("3fff::1", .documentation),
        ("2001:2::1", .benchmarking),
        ("2002:0808:0808::1", .sixToFour), ("2002:7f00:1::1", .sixToFour),
        ("2001:0:4136:e378::1", .teredo),
        ("2001:10::1", .reserved), ("100::1", .reserved), ("4000::1", .reserved), ("fe00::1", .reserved),
        ("1::1", .reserved),
    ])
    func ipv6Categories(_ text: String, _ expected: AddressCategory) {
        #expect(category(text) == expected, "\(text)")
        #expect(IPAddress(text).map(strict.check) == .refused(expected), "\(text)")
    }

    /// Mapped, compatible, SIIT and NAT64 forms are judged by the IPv4 address they carry.
    @Test(arguments: [
        ("::ffff:127.0.0.1", AddressCategory.loopback), ("::ffff:7f00:1", .loopback),
        ("::ffff:10.0.0.1", .privateNetwork), ("::ffff:169.254.169.254", .metadata),
        ("::ffff:100.64.0.1", .carrierGradeNAT), ("::ffff:0.0.0.0", .unspecified),
        ("::ffff:255.255.255.255", .broadcast), ("::ffff:224.0.0.1", .multicast),
        ("::127.0.0.1", .loopback), ("::10.0.0.1", .privateNetwork),
        ("::ffff:0:192.168.0.1", .privateNetwork),
        ("64:ff9b::127.0.0.1", .loopback), ("64:ff9b::a9fe:a9fe", .metadata), ("64:ff9b::192.0.2.1", .documentation),
    ])
    func embeddedIPv4Categories(_ text: String, _ expected: AddressCategory) {
        #expect(category(text) == expected, "\(text)")
        #expect(IPAddress(text).map(strict.check) == .refused(expected), "\(text)")
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.63.255.255", "100.128.0.1",
                      "169.253.255.255", "192.169.0.1", "198.17.255.255", "198.20.0.1", "223.255.255.255",
                      "11.0.0.1", "126.255.255.255", "128.0.0.1",
                      "2606:4700:4700::1111", "2a00:1450:4001::1", "2001:200::1", "2001:db9::1",
                      "::ffff:8.8.8.8", "::8.8.8.8", "64:ff9b::8.8.8.8", "::ffff:0:8.8.8.8"])
    func globalAddressesAreAllowed(_ text: String) {
        #expect(category(text) == nil, "\(text)")
        #expect(IPAddress(text).map(strict.check) == .allowed, "\(text)")
    }

    @Test func embeddedIPv4OnlyForTheFormsThatDeliverToIt() {
        #expect(IPAddress("::ffff:1.2.3.4")?.embeddedIPv4 == IPAddress(1, 2, 3, 4))
        #expect(IPAddress("64:ff9b::1.2.3.4")?.embeddedIPv4 == IPAddress(1, 2, 3, 4))
        #expect(IPAddress("::1.2.3.4")?.embeddedIPv4 == IPAddress(1, 2, 3, 4))
        #expect(IPAddress("::1")?.embeddedIPv4 == nil)
        #expect(IPAddress("::")?.embeddedIPv4 == nil)
        #expect(IPAddress("2002:102:304::1")?.embeddedIPv4 == nil)
        #expect(IPAddress("64:ff9b:1::1.2.3.4")?.embeddedIPv4 == nil)
        #expect(IPAddress("1.2.3.4")?.embeddedIPv4 == nil)
    }

    @Test func allowPrivateNetworksAllowsEverything() throws {
        let open = OutboundPolicy(allowPrivateNetworks: true)
        for text in ["127.0.0.1", "::1", "10.0.0.1", "169.254.169.254", "fd00:ec2::254", "224.0.0.1", "::", "8.8.8.8"] {
            #expect(IPAddress(text).map(open.check) == .allowed, "\(text)")
        }
    }

    @Test func allowCIDRsAllowOnlyTheirRanges() throws {
        let policy = try OutboundPolicy(allowCIDRs: ["10.1.0.0/16", "fd00:1234::/32", "127.0.0.1/32"])
        func decision(_ text: String) -> OutboundDecision? { IPAddress(text).map(policy.check) }
        #expect(decision("10.1.200.3") == .allowed)
        #expect(decision("10.2.0.1") == .refused(.privateNetwork))
        #expect(decision("127.0.0.1") == .allowed)
        #expect(decision("127.0.0.2") == .refused(.loopback))
        #expect(decision("fd00:1234:5::1") == .allowed)
        #expect(decision("fd00:1235::1") == .refused(.privateNetwork))
        #expect(decision("::1") == .refused(.loopback))
        // An IPv4 range covers the IPv6 forms that carry its addresses.
        #expect(decision("::ffff:10.1.2.3") == .allowed)
        #expect(decision("64:ff9b::10.1.2.3") == .allowed)
        #expect(decision("::ffff:10.2.2.3") == .refused(.privateNetwork))
        // ...but not 6to4, which is refused whole.
        #expect(decision("2002:a01:203::1") == .refused(.sixToFour))
    }

    @Test func mappedCIDRIsTheIPv4Range() throws {
        let mapped = try CIDRRange("::ffff:10.0.0.0/104")
        #expect(mapped == (try CIDRRange("10.0.0.0/8")))
        #expect(mapped.description == "10.0.0.0/8")
        let policy = OutboundPolicy(allowedRanges: [mapped])
        #expect(IPAddress("10.9.9.9").map(policy.check) == .allowed)
        #expect(IPAddress("::ffff:10.9.9.9").map(policy.check) == .allowed)
        #expect(IPAddress("192.168.0.1").map(policy.check) == .refused(.privateNetwork))
        // An explicit IPv6 range over the NAT64 prefix matches the IPv6 address itself.
        let nat64 = try OutboundPolicy(allowCIDRs: ["64:ff9b::/96"])
        #expect(IPAddress("64:ff9b::127.0.0.1").map(nat64.check) == .allowed)
        #expect(IPAddress("127.0.0.1").map(nat64.check) == .refused(.loopback))
    }

    @Test func cidrParsingMasksHostBitsAndMatchesBoundaries() throws {
        let range = try CIDRRange("192.168.77.1/20")
        #expect(range.description == "192.168.64.0/20")
        #expect(range.contains(IPAddress(192, 168, 64, 0)))
        #expect(range.contains(IPAddress(192, 168, 79, 255)))
        #expect(!range.contains(IPAddress(192, 168, 80, 0)))
        #expect(!range.contains(IPAddress(192, 168, 63, 255)))
        #expect(try CIDRRange("0.0.0.0/0").contains(IPAddress(8, 8, 8, 8)))
        #expect(try !CIDRRange("0.0.0.0/0").contains(#require(IPAddress("::1"))))
        #expect(try CIDRRange("::/0").contains(#require(IPAddress("2001:db8::1"))))
        #expect(try CIDRRange("2001:db8::1/128").contains(#require(IPAddress("2001:db8::1"))))
        #expect(try !CIDRRange("2001:db8::1/128").contains(#require(IPAddress("2001:db8::2"))))
        #expect(try CIDRRange("fe80::/10").contains(#require(IPAddress("febf:ffff::1"))))
        #expect(try !CIDRRange("fe80::/10").contains(#require(IPAddress("fec0::1"))))
    }

    @Test(arguments: ["", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8",
                      "10.0.0/8", "example.com/8", "::/129", "::/1x", "10.0.0.0/ 8", "10.0.0.0/0008", "/8",
                      "[::1]/128", "fe80::1%eth0/64"])
    func badCIDRsThrow(_ text: String) {
        #expect(throws: CIDRError.self, "\(text)") { try CIDRRange(text) }
        #expect(throws: CIDRError.self, "\(text)") { try OutboundPolicy(allowCIDRs: ["10.0.0.0/8", text]) }
    }

    @Test func cidrErrorNamesTheText() {
        do {
            _ = try CIDRRange("10.0.0.0/33")
            Issue.record("no error")
        } catch {
            #expect(error.text == "10.0.0.0/33")
            #expect(error.description.contains("0 to 32"))
        }
    }

    @Test func refusalsNameTheirCategory() {
        #expect(AddressCategory.loopback.description == "a loopback address")
        #expect(AddressCategory.metadata.description == "a cloud metadata address")
        #expect(AddressCategory.privateNetwork.description == "a private address")
        #expect(OutboundDecision.refused(.linkLocal).description == "refused: a link-local address")
        #expect(OutboundDecision.allowed.isAllowed)
        // Every category is reachable from some address and has a phrase.
        for category in AddressCategory.allCases { #expect(!category.description.isEmpty) }
    }
}
