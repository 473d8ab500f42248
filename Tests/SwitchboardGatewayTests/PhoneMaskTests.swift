import Testing
@testable import SwitchboardGateway

/// Issue 13 §6: phone numbers are masked in every shape (all but the last 4 digits); what is not a phone
/// number is left alone. Pure logic, pinned by a table.
@Suite("Log masking: phone numbers in every shape, nothing else")
struct PhoneMaskTests {
    static let masked: [(String, String)] = [
        // E.164, bare and with separators.
        ("+905555555555", "+********5555"),
        ("+14155550123", "+*******0123"),
        ("+1 415 555 0123", "+* *** *** 0123"),
        ("+1 (415) 555-0123", "+* (***) ***-0123"),
        ("+44 20 7946 0958", "+** ** **** 0958"),
        ("+90-555-555-55-55", "+**-***-***-55-55"),
        ("+4930123456", "+******3456"),
        // The 00 international prefix.
        ("00905555555555", "**********5555"),
        ("0090 555 555 55 55", "**** *** *** 55 55"),
        ("00 44 20 7946 0958", "** ** ** **** 0958"),
        // National: trunk 0, with spaces, dashes or none.
        ("05555555555", "*******5555"),
        ("0555 555 55 55", "**** *** 55 55"),
        ("0555-555-55-55", "****-***-55-55"),
        ("020 7946 0958", "*** **** 0958"),
        ("030-1234567", "***-***4567"),
        ("06 12 34 56 78", "** ** ** 56 78"),
        // National: a parenthesized area code; North American 3-3-4.
        ("(415) 555-0123", "(***) ***-0123"),
        ("(415)555-0123", "(***)***-0123"),
        ("(0555) 555 55 55", "(****) *** 55 55"),
        ("415-555-0123", "***-***-0123"),
        ("415 555 0123", "*** *** 0123"),
        ("1-415-555-0123", "*-***-***-0123"),
        // In text and in field values.
        ("from +905555555555 to 0555 555 55 54", "from +********5555 to **** *** 55 54"),
        ("caller=(415) 555-0123, callee=+14155550124", "caller=(***) ***-0123, callee=+*******0124"),
        (#"{"to":"05555555555"}"#, #"{"to":"*******5555"}"#),
        ("tel:+14155550123", "tel:+*******0123"),
        ("call 05555555555 5 times", "call *******5555 5 times"),
        ("ids 12 05555555555", "ids 12 *******5555"),
        ("/v1/calls/05555555555/webhook", "/v1/calls/*******5555/webhook"),
    ]

    static let untouched: [String] = [
        // Too short or too long to be a phone number.
        "+123456", "+1234567890123456", "0123456",
        // UUIDs, numeric ones included.
        "5f8a2c1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b", "12345678-1234-1234-1234-123456789012",
        "01234567-0123-4abc-8def-012345678901", "abcdef01-2345-6789-0123-456789abcdef",
        // Timestamps and dates.
        "2026-12-07T15:32:00.123Z", "2026-12-07 15:32:00", "2026-12-07", "07-12-2026", "1760084505", "1760084505123",
        "1760084505.123", "ts 1765121520",
        // Ports, addresses, durations, sizes, counts, versions.
        "127.0.0.1:8080", "http://127.0.0.1:54321/hook", "[::1]:8080", "192.168.100.200", "duration_ms 1234567.890",
        "0.000123", "10,000,000", "1,048,576 bytes", "8000-8080", "1024 2048 4096", "attempts 1 2 3 4 5 6 7",
        "version 6.3.1", "HTTP 503 after 30000 ms", "id 123456789012",
        // Words and identifiers with digits.
        "whsec_0123456789abcdef", "evt_05555555555", "order-05555555555", "05555555555-abcd", "abc05555555555",
        "req_00905555555555", "sha256=0123456789abcdef0123",
    ]

    @Test(arguments: masked)
    func masksAllButTheLastFourDigits(_ text: String, _ expected: String) {
        #expect(PhoneMask.mask(text) == expected)
    }

    @Test(arguments: untouched)
    func leavesWhatIsNotAPhoneNumber(_ text: String) {
        #expect(PhoneMask.mask(text) == text)
    }

    /// A long run of digit groups (anyone can send one in a path or header, and masking runs while the
    /// log writer is locked) is scanned a bounded number of groups from each start: the scan of each
    /// candidate stops at the most groups and digits a phone number has. (Before, a 8 KiB run took 12 s:
    /// every start rescanned the whole run and tried each of its prefixes.)
    @Test func aLongRunOfDigitGroupsIsScannedInBoundedSteps() {
        let junk = String(repeating: "1-(1)-", count: 6_000) + "1"
        let bytes = Array(junk.utf8)
        let candidate = PhoneMask.scan(bytes, from: 0)
        #expect(candidate.groups.count <= PhoneMask.maxGroups)
        #expect(candidate.groups.reduce(0) { $0 + $1.digits } <= PhoneMask.maxDigits)
        let digitRun = Array(String(repeating: "9", count: 40_000).utf8)
        #expect(PhoneMask.scan(digitRun, from: 0).groups.isEmpty)
        #expect(PhoneMask.mask(junk) == junk)
        // A number after the junk is still found; so is one of the longest shapes.
        #expect(PhoneMask.mask(junk + " from +14155550123") == junk + " from +*******0123")
        #expect(PhoneMask.mask("call 0090 555 555 55 55") == "call **** *** *** 55 55")
    }

    @Test func everyLogFieldIsMasked() {
        let line = Logger.line(level: .info, message: "call from 0555 555 55 55",
                               fields: ["to": "(415) 555-0123", "from": "0090 555 555 55 55",
                                        "call": "5f8a2c1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b", "port": "127.0.0.1:8080"], at: 0)
        for number in ["0555 555", "415) 555", "0090 555"] { #expect(!line.contains(number), "\(line)") }
        #expect(line.contains("5f8a2c1e-3b4d-4e6f-8a9b-0c1d2e3f4a5b") && line.contains("127.0.0.1:8080"))
        #expect(line.contains(#""ts":"1970-01-01T00:00:00.000Z""#))
    }
}
