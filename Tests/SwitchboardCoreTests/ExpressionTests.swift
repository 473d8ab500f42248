import Testing
@testable import SwitchboardCore

@Suite("Mapping expressions")
struct ExpressionTests {
    private let document: JSONValue = [
        "n": 7, "s": "Text", "t": "2025-10-10T08:21:45Z", "u": 1_760_084_505,
        "items": [["k": "a", "v": 1], ["k": "b", "v": nil]],
        "obj": ["x": 1, "y": nil],
    ]

    private func eval(_ json: String) throws -> JSONValue {
        let expression = try ExpressionCompiler.compile(try JSONReader.parse(json), at: "test")
        return try ExpressionEvaluator.evaluate(expression, document: document)
    }

    @Test func pathsTemplatesAndLiterals() throws {
        #expect(try eval(#""$.items.0.k""#) == "a")
        #expect(try eval(#""$.missing.deeper""#) == .null)
        #expect(try eval(#""call {{$.n}}/{{ $.s }}/{{$.missing}}!""#) == "call 7/Text/!")
        #expect(try eval(#""plain""#) == "plain")
        #expect(try eval(#"{"@literal": "$.n"}"#) == "$.n")
        #expect(try eval(#"{"a": "$.n", "b": [1, "$.s"]}"#) == ["a": 7, "b": [1, "Text"]])
    }

    @Test func times() throws {
        #expect(try eval(#"{"@time": "$.t"}"#) == .integer(1_760_084_505))
        #expect(try eval(#"{"@time": "2025-10-10T10:21:45.5+02:00"}"#) == .double(1_760_084_505.5))
        #expect(try eval(#"{"@iso8601": "$.u"}"#) == "2025-10-10T08:21:45Z")
        #expect(try eval(#"{"@iso8601": 1.25}"#) == "1970-01-01T00:00:01.250Z")
        #expect(try eval(#"{"@unix": "$.t"}"#) == .integer(1_760_084_505))
        #expect(try eval(#"{"@seconds_between": ["$.u", {"@add_seconds": ["$.t", 42]}]}"#) == .integer(42))
        #expect(try eval(#"{"@seconds_between": ["$.u", null]}"#) == .null)
        #expect(throws: EvaluationError.self) { try eval(#"{"@time": "yesterday"}"#) }
        #expect(throws: EvaluationError.self) { try eval(#"{"@time": true}"#) }
    }

    @Test func isoParserAgreesWithTheFormatterAndRefusesNonsense() {
        for seconds in [0.0, 951_782_400, 1_760_084_505, -86_400, 4_102_444_799] {
            #expect(Timestamp.parseISO8601(Timestamp.iso8601(seconds)) == seconds)
        }
        #expect(Timestamp.parseISO8601("2025-10-10") == 1_760_054_400)
        #expect(Timestamp.parseISO8601("2025-10-10 08:21:45z") == 1_760_084_505)
        for bad in ["2025-02-30T00:00:00Z", "2025-13-01", "2025-10-10T24:00:00Z", "2025-10-10T08:21:45Zjunk", "10/10/2025", ""] {
            #expect(Timestamp.parseISO8601(bad) == nil, "\(bad)")
        }
    }

    @Test func functions() throws {
        #expect(try eval(#"{"@coalesce": ["$.missing", null, "$.s"]}"#) == "Text")
        #expect(try eval(#"{"@default": ["$.missing", 3]}"#) == 3)
        #expect(try eval(#"{"@lookup": ["$.s", {"Text": "found"}, "fallback"]}"#) == "found")
        #expect(try eval(#"{"@lookup": ["$.n", {"Text": "found"}]}"#) == .null)
        #expect(try eval(#"{"@lower": "$.s"}"#) == "text")
        #expect(try eval(#"{"@upper": "$.s"}"#) == "TEXT")
        #expect(try eval(#"{"@string": "$.n"}"#) == "7")
        #expect(try eval(#"{"@integer": "42"}"#) == 42)
        #expect(try eval(#"{"@number_if_digits": "42"}"#) == 42)
        #expect(try eval(#"{"@number_if_digits": "042"}"#) == "042")
        #expect(try eval(#"{"@number_if_digits": "call_1"}"#) == "call_1")
        #expect(try eval(#"{"@join": ["-", "a", null, "$.n"]}"#) == "a-7")
        #expect(try eval(#"{"@json": "$.obj"}"#) == #"{"x":1,"y":null}"#)
        #expect(try eval(#"{"@sha256": "abc"}"#) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try eval(#"{"@omit_nulls": "$.obj"}"#) == ["x": 1])
        #expect(try eval(#"{"@merge": ["$.obj", {"y": 2, "z": 3}, null]}"#) == ["x": 1, "y": 2, "z": 3])
        #expect(try eval(#"{"@map": {"over": "$.items", "each": {"key": "$item.k", "n": "$.n"}}}"#)
                == [["key": "a", "n": 7], ["key": "b", "n": 7]])
        // RFC 4122 example namespace + name, as the UUID tests pin.
        #expect(try eval(#"{"@uuid5": ["dns", "www.example.com"]}"#) == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }

    @Test func conditions() throws {
        #expect(try eval(#"{"@and": [{"@exists": "$.n"}, {"@eq": ["$.n", 7.0]}]}"#) == true)
        #expect(try eval(#"{"@or": [{"@exists": "$.missing"}, {"@in": ["$.s", ["x", "Text"]]}]}"#) == true)
        #expect(try eval(#"{"@not": {"@ne": ["$.s", "Text"]}}"#) == true)
        #expect(try eval(#"{"@if": [{"@exists": "$.missing"}, "yes", "no"]}"#) == "no")
        // Lazy: the untaken branch is not evaluated (it would fail).
        #expect(try eval(#"{"@if": [true, 1, {"@time": "never"}]}"#) == 1)
    }
}

@Suite("Mapping expressions: streaming emit")
struct ExpressionEmitTests {
    /// `emit` must write exactly what `evaluate` then `JSONWriter` would.
    @Test func emitMatchesEvaluateThenWrite() throws {
        let document: JSONValue = ["a": ["b": [1, 2.5, "x\n"]], "n": nil, "t": 1_760_084_505]
        let template = #"""
        {"id": "$.a.b.2", "list": ["$.a.b", {"@iso8601": "$.t"}, null, true], "nested": {"k": "{{$.t}}", "m": {"@map": {"over": "$.a.b", "each": {"v": "$item"}}}},
         "merged": {"@merge": [{"x": 1}, {"y": "$.n"}]}, "lit": {"@literal": {"$": 1}},
         "omitted": {"@omit_nulls": {"gone": "$.n", "kept": "$.t", "if": {"@if": ["$.n", 1, null]}, "obj": {"z": "$.n"},
                                     "arr": ["$.n"], "text": "{{$.n}}", "none": {"@map": {"over": "$.n", "each": 1}}, "last": false}},
         "empty": {"@omit_nulls": {"only": "$.n"}}}
        """#
        let expression = try ExpressionCompiler.compile(try JSONReader.parse(template), at: "t")
        var streamed: [UInt8] = []
        try ExpressionEvaluator.emit(expression, document: document, into: &streamed)
        #expect(streamed == JSONWriter.bytes(try ExpressionEvaluator.evaluate(expression, document: document)))
    }
}
