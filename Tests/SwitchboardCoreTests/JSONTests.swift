import Testing
@testable import SwitchboardCore

@Suite("JSON reader and writer")
struct JSONTests {
    private func reason(_ text: String, maxDepth: Int = JSONReader.defaultMaxDepth) -> JSONReadError.Reason? {
        do {
            _ = try JSONReader.parse(text, maxDepth: maxDepth)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func readsEveryTypeAndKeepsKeyOrder() throws {
        let value = try JSONReader.parse(#"{"z":1,"a":[true,false,null],"m":{"s":"x\u00e9\n"},"d":-1.5e3,"big":9223372036854775807}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "a", "m", "d", "big"])
        #expect(value["z"] == .integer(1))
        #expect(value["a"] == .array([.bool(true), .bool(false), .null]))
        #expect(value["m"]?["s"] == .string("xé\n"))
        #expect(value["d"] == .double(-1500))
        #expect(value["big"] == .integer(Int64.max))
    }

    @Test func writerIsDeterministicAndRoundTrips() throws {
        let text = #"{"id":"9c1d","n":34,"f":0.25,"neg":-7,"s":"q\"b\\sl\u0001","a":[],"o":{},"nil":null,"t":true}"#
        let value = try JSONReader.parse(text)
        let written = JSONWriter.string(value)
        #expect(written == text)
        #expect(try JSONReader.parse(written) == value)
        #expect(JSONWriter.string(.double(34)) == "34")
        #expect(JSONWriter.string(.double(1e300)) == "1e+300")
        #expect(JSONWriter.string(.double(.nan)) == "null")
    }

    @Test func refusesDuplicateKeys() {
        #expect(reason(#"{"a":1,"a":2}"#) == .duplicateKey("a"))
        #expect(reason(#"{"o":{"k":1,"k":1}}"#) == .duplicateKey("k"))
        // The same key in different objects is fine.
        #expect(reason(#"{"a":{"k":1},"b":{"k":2}}"#) == nil)
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(reason(deep) == .tooDeep(limit: JSONReader.defaultMaxDepth))
        #expect(reason(String(repeating: #"{"a":"#, count: 100) + "1" + String(repeating: "}", count: 100)) == .tooDeep(limit: 64))
        #expect(reason("[[[1]]]", maxDepth: 3) == nil)
        #expect(reason("[[[[1]]]]", maxDepth: 3) == .tooDeep(limit: 3))
    }

    @Test func hugeNumbersAreRangeErrorsNotCrashes() throws {
        #expect(reason("1e400") == .numberOutOfRange("1e400"))
        #expect(reason("-1e400") == .numberOutOfRange("-1e400"))
        // Integers beyond 64 bits become doubles (JSON numbers are not integers by type).
        #expect(try JSONReader.parse("123456789012345678901234567890") == .double(1.2345678901234568e29))
    }

    @Test func malformedInputIsDescribed() {
        for text in ["{", "[1,]", "{\"a\" 1}", "nul", "\"unterminated", "{} {}", "[1] x", "{'a':1}", "// c\n{}"] {
            guard case .malformed(let message) = reason(text) else {
                Issue.record("\(text) should be malformed"); continue
            }
            #expect(message.contains("at byte"), "\(text): \(message)")
        }
        #expect(reason("") == .empty)
        #expect(reason(" \n\t ") == .empty)
    }

    @Test func invalidUTF8IsRefused() throws {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: JSONReadError.self) { try JSONReader.parse(bytes) }
        let lone: [UInt8] = Array(#"["#.utf8) + [0x22, 0xFF, 0x22] + Array("]".utf8)
        #expect(throws: JSONReadError.self) { try JSONReader.parse(lone) }
    }

    @Test func objectEditingKeepsOrderAndUniqueness() {
        var object = JSONObject([("b", 1), ("a", 2)])
        object["b"] = 3
        object["c"] = 4
        object["a"] = nil
        #expect(object.keys == ["b", "c"])
        #expect(object["b"] == .integer(3))
    }
}

@Suite("JSON reader on large objects")
struct JSONLargeObjectTests {
    /// 100k distinct keys read in linear time; a duplicate at the very end is still caught.
    @Test func manyKeysAreReadAndADuplicateAmongThemIsFound() throws {
        var text = "{"
        for index in 0..<100_000 { text += "\"k\(index)\":\(index)," }
        let unique = text.dropLast() + "}"
        let value = try JSONReader.parse(String(unique))
        #expect(value.objectValue?.count == 100_000)
        let duplicated = text + "\"k5\":0}"
        #expect(throws: JSONReadError.self) { try JSONReader.parse(duplicated) }
    }
}
