import CYAJL

/// Why a document was refused, precisely enough for an HTTP 400/422 body.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// Not JSON at all, or malformed (the parser's message, with the byte offset).
        case malformed(String)
        case empty
        /// The same key twice in one object (ambiguous: parsers disagree on which wins).
        case duplicateKey(String)
        case tooDeep(limit: Int)
        /// A number that no 64-bit integer or finite double can hold.
        case numberOutOfRange(String)
    }

    public let reason: Reason
    /// Bytes consumed when the parser stopped.
    public let offset: Int

    public var description: String {
        switch reason {
        case .malformed(let message): "not valid JSON: \(message)"
        case .empty: "the body is empty; a JSON document is required"
        case .duplicateKey(let key): "duplicate key '\(key)' in an object (at byte \(offset))"
        case .tooDeep(let limit): "JSON nested deeper than \(limit) levels (at byte \(offset))"
        case .numberOutOfRange(let text): "number \(text.prefix(40)) is out of range (at byte \(offset))"
        }
    }
}

/// Reads JSON with yajl's streaming parser (strict RFC 8259: UTF-8 validated, no comments, nothing after
/// the value), building a `JSONValue` in the same pass and refusing what a webhook body should never
/// contain: duplicate keys, nesting deeper than `maxDepth`, numbers out of range.
public enum JSONReader {
    public static let defaultMaxDepth = 64

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONReadError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONReadError) -> JSONValue {
        let outcome: Result<JSONValue, JSONReadError> = bytes.withUnsafeBufferPointer { buffer in
            parse(buffer, maxDepth: maxDepth)
        }
        return try outcome.get()
    }

    /// Parses part of a larger buffer (one line of JSON Lines) without copying it out first.
    public static func parse(_ bytes: ArraySlice<UInt8>, maxDepth: Int = defaultMaxDepth) throws(JSONReadError) -> JSONValue {
        let outcome: Result<JSONValue, JSONReadError> = bytes.withUnsafeBufferPointer { buffer in
            parse(buffer, maxDepth: maxDepth)
        }
        return try outcome.get()
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<JSONValue, JSONReadError> {
        guard buffer.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            return .failure(JSONReadError(reason: .empty, offset: 0))
        }
        let builder = JSONBuilder(maxDepth: maxDepth)
        var callbacks = yajl_callbacks()
        callbacks.yajl_null = { context in withBuilder(context) { $0.add(.null) } }
        callbacks.yajl_boolean = { context, flag in withBuilder(context) { $0.add(.bool(flag != 0)) } }
        callbacks.yajl_number = { context, text, length in withBuilder(context) { $0.addNumber(text, length) } }
        callbacks.yajl_string = { context, text, length in
            withBuilder(context) { $0.add(.string(makeString(text, length))) }
        }
        callbacks.yajl_start_map = { context in withBuilder(context) { $0.open(object: true) } }
        callbacks.yajl_map_key = { context, text, length in withBuilder(context) { $0.key(makeString(text, length)) } }
        callbacks.yajl_end_map = { context in withBuilder(context) { $0.close() } }
        callbacks.yajl_start_array = { context in withBuilder(context) { $0.open(object: false) } }
        callbacks.yajl_end_array = { context in withBuilder(context) { $0.close() } }

        let context = Unmanaged.passUnretained(builder).toOpaque()
        // The builder is kept alive by this frame for the whole parse; yajl only borrows the pointer.
        return withExtendedLifetime(builder) {
            guard let handle = yajl_alloc(&callbacks, nil, context) else {
                return .failure(JSONReadError(reason: .malformed("parser allocation failed"), offset: 0))
            }
            defer { yajl_free(handle) }
            var status = yajl_parse(handle, buffer.baseAddress, buffer.count)
            if status == yajl_status_ok { status = yajl_complete_parse(handle) }
            let offset = Int(yajl_get_bytes_consumed(handle))
            if let failure = builder.failure { return .failure(JSONReadError(reason: failure, offset: offset)) }
            guard status == yajl_status_ok, let root = builder.root else {
                var message = "unexpected end of input"
                if let error = yajl_get_error(handle, 0, buffer.baseAddress, buffer.count) {
                    message = String(cString: error).trimmingSuffixWhitespace()
                    yajl_free_error(handle, error)
                }
                return .failure(JSONReadError(reason: .malformed("\(message) (at byte \(offset))"), offset: offset))
            }
            return .success(root)
        }
    }
}

/// yajl passes back the context given to `yajl_alloc`: the live builder.
private func withBuilder(_ context: UnsafeMutableRawPointer?, _ body: (JSONBuilder) -> Int32) -> Int32 {
    guard let context else { return 0 }
    return body(Unmanaged<JSONBuilder>.fromOpaque(context).takeUnretainedValue())
}

private func makeString(_ text: UnsafePointer<UInt8>?, _ length: Int) -> String {
    guard let text, length > 0 else { return "" }
    // yajl has already validated the bytes as UTF-8.
    return String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)
}

/// Assembles values from parser events. Return values follow yajl: 1 continue, 0 stop.
private final class JSONBuilder {
    private struct Frame {
        var isObject: Bool
        var keys: [String] = []
        var values: [JSONValue] = []
        /// Built once an object grows past `scanLimit` keys, so duplicate checks stay linear overall.
        var keySet: Set<String>?
    }

    /// Up to this many keys a scan beats hashing; past it, a set keeps a 60k-key body from costing O(n²).
    private static let scanLimit = 16

    let maxDepth: Int
    var root: JSONValue?
    var failure: JSONReadError.Reason?
    private var stack: [Frame] = []

    init(maxDepth: Int) { self.maxDepth = maxDepth }

    func add(_ value: JSONValue) -> Int32 {
        guard !stack.isEmpty else {
            root = value
            return 1
        }
        stack[stack.count - 1].values.append(value)
        return 1
    }

    func addNumber(_ text: UnsafePointer<CChar>?, _ length: Int) -> Int32 {
        guard let text else { return 0 }
        let literal = String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
        if let integer = Int64(literal) { return add(.integer(integer)) }
        if let double = Double(literal), double.isFinite { return add(.double(double)) }
        failure = .numberOutOfRange(literal)
        return 0
    }

    func open(object: Bool) -> Int32 {
        guard stack.count < maxDepth else {
            failure = .tooDeep(limit: maxDepth)
            return 0
        }
        stack.append(Frame(isObject: object))
        return 1
    }

    func key(_ key: String) -> Int32 {
        let top = stack.count - 1
        let duplicate: Bool
        // Optional chaining mutates the set in place (copying it out would make every insert O(n)).
        if let inserted = stack[top].keySet?.insert(key).inserted {
            duplicate = !inserted
        } else {
            duplicate = stack[top].keys.contains(key)
            if !duplicate, stack[top].keys.count >= Self.scanLimit {
                stack[top].keySet = Set(stack[top].keys + [key])
            }
        }
        if duplicate {
            failure = .duplicateKey(key)
            return 0
        }
        stack[top].keys.append(key)
        return 1
    }

    func close() -> Int32 {
        guard let frame = stack.popLast() else { return 0 }
        let value: JSONValue = frame.isObject
            ? .object(JSONObject(uniqueKeys: frame.keys, values: frame.values))
            : .array(frame.values)
        return add(value)
    }
}

extension String {
    fileprivate func trimmingSuffixWhitespace() -> String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
