import Foundation
import Testing
@testable import SwitchboardCore

/// One HMAC-SHA256 test case of RFC 4231 §4.
struct RFC4231Case: Sendable, CustomTestStringConvertible {
    let number: Int
    let key: [UInt8]
    let data: [UInt8]
    /// The expected code in hex; case 5 gives only the leftmost 128 bits.
    let expected: String

    var testDescription: String { "RFC 4231 test case \(number)" }

    static let all: [RFC4231Case] = [
        RFC4231Case(number: 1, key: repeated(0x0B, 20), data: Array("Hi There".utf8),
                    expected: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        RFC4231Case(number: 2, key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
                    expected: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        RFC4231Case(number: 3, key: repeated(0xAA, 20), data: repeated(0xDD, 50),
                    expected: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        RFC4231Case(number: 4, key: Array(1...25), data: repeated(0xCD, 50),
                    expected: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        RFC4231Case(number: 5, key: repeated(0x0C, 20), data: Array("Test With Truncation".utf8),
                    expected: "a3b6167473100ee06e0c796c2955552b"),
        RFC4231Case(number: 6, key: repeated(0xAA, 131),
                    data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                    expected: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        RFC4231Case(number: 7, key: repeated(0xAA, 131),
                    data: Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                        + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
                    expected: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    private static func repeated(_ byte: UInt8, _ count: Int) -> [UInt8] {
        [UInt8](repeating: byte, count: count)
    }
}

@Suite("HMAC-SHA256")
struct HMACSHA256Tests {
    @Test(arguments: RFC4231Case.all)
    func rfc4231(_ testCase: RFC4231Case) throws {
        let code = try HMACSHA256Key(testCase.key).authenticationCode(for: testCase.data)
        #expect(code.count == HMACSHA256Key.codeLength)
        let truncated = code.prefix(testCase.expected.utf8.count / 2)
        #expect(Hex.encode(truncated) == testCase.expected)
    }

    @Test(arguments: RFC4231Case.all)
    func oneShotMatchesKeyed(_ testCase: RFC4231Case) throws {
        let oneShot = try HMACSHA256Key.authenticationCode(key: testCase.key, message: testCase.data)
        #expect(oneShot == (try HMACSHA256Key(testCase.key).authenticationCode(for: testCase.data)))
    }

    @Test func emptyKeyAndMessage() throws {
        // Python: hmac.new(b"", b"", hashlib.sha256).hexdigest()
        let code = try HMACSHA256Key.authenticationCode(key: [UInt8](), message: Data())
        #expect(Hex.encode(code) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func multiPartEqualsSingleBuffer() throws {
        let key = try HMACSHA256Key(Array("whsec_test_secret".utf8))
        let timestamp = Array("1700000000.".utf8)
        let body = Data(#"{"event":"call.completed","id":"CA123"}"#.utf8)
        let whole = try key.authenticationCode(for: timestamp + Array(body))
        let parts = try key.authenticationCode(forParts: [timestamp, body])
        #expect(parts == whole)
        let withEmptyParts = try key.authenticationCode(forParts: [[UInt8](), timestamp, Data(), body, [UInt8]()])
        #expect(withEmptyParts == whole)
        #expect(try key.authenticationCode(forParts: []) == key.authenticationCode(for: [UInt8]()))
    }

    @Test func keyIsReusableAcrossMessages() throws {
        let key = try HMACSHA256Key(Array("Jefe".utf8))
        let first = try key.authenticationCode(for: Array("what do ya want for nothing?".utf8))
        _ = try key.authenticationCode(for: Array("something else".utf8))
        let again = try key.authenticationCode(for: Array("what do ya want for nothing?".utf8))
        #expect(first == again)
    }

    @Test func concurrentUseFromManyThreads() throws {
        let testCases = RFC4231Case.all.filter { $0.number != 5 }
        let keys = try testCases.map { try HMACSHA256Key($0.key) }
        let threadCount = 16
        let iterations = 300
        let failures = LockedCounter()
        let group = DispatchGroup()
        for thread in 0..<threadCount {
            group.enter()
            Thread {
                defer { group.leave() }
                for iteration in 0..<iterations {
                    let index = (thread + iteration) % testCases.count
                    let code = try? keys[index].authenticationCode(for: testCases[index].data)
                    if code.map(Hex.encode) != testCases[index].expected { failures.increment() }
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(failures.value == 0)
    }
}

/// A counter that threads may increment concurrently.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() {
        lock.withLock { count += 1 }
    }

    var value: Int {
        lock.withLock { count }
    }
}
