import Foundation
import SwitchboardCore

/// A value in a structured log line.
public enum LogValue: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
}

/// Severity of a log line.
public enum LogLevel: String, Sendable, Comparable {
    case debug, info, warn, error

    private var rank: Int { [.debug: 0, .info: 1, .warn: 2, .error: 3][self] ?? 1 }
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}

/// Emits one JSON object per line: `{"ts": ..., "level": ..., "msg": ..., <fields>}`.
public struct Logger: Sendable {
    private let writer: LogWriter
    public let minimumLevel: LogLevel

    public init(writer: LogWriter, minimumLevel: LogLevel = .info) {
        self.writer = writer
        self.minimumLevel = minimumLevel
    }

    public func log(_ level: LogLevel, _ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        guard level >= minimumLevel else { return }
        writer.write(Logger.line(level: level, message: message, fields: fields,
                                 at: Date().timeIntervalSince1970))
    }

    public func debug(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.info, message, fields) }
    public func warn(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.warn, message, fields) }
    public func error(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.error, message, fields) }

    public func flush() { writer.flush() }

    /// Renders one line (no trailing newline). Pure: exposed for tests.
    public static func line(level: LogLevel, message: String, fields: KeyValuePairs<String, LogValue>,
                            at epochSeconds: Double) -> String {
        var out = "{\"ts\":\"" + Timestamp.iso8601(epochSeconds, fractionDigits: 3) + "\",\"level\":\""
            + level.rawValue + "\",\"msg\":"
        JSONString.append(message, to: &out)
        for (key, value) in fields {
            out.append(",")
            JSONString.append(key, to: &out)
            out.append(":")
            switch value {
            case .string(let text): JSONString.append(text, to: &out)
            case .int(let number): out.append(String(number))
            case .double(let number): out.append(number.isFinite ? String(number) : "null")
            case .bool(let flag): out.append(flag ? "true" : "false")
            }
        }
        out.append("}")
        return out
    }
}
