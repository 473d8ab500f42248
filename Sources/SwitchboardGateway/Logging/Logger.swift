import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

    private var rank: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warn: 2
        case .error: 3
        }
    }
    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rank < rhs.rank }
}

/// Emits one JSON object per line: `{"ts": ..., "level": ..., "msg": ..., <fields>}`.
public struct Logger: Sendable {
    private let writer: LogWriter
    public let minimumLevel: LogLevel
    /// Masks phone numbers in every string (on by default).
    public let maskPhoneNumbers: Bool

    /// Budgets of throttled lines (`throttled`), shared by the copies of this logger.
    let throttle: LogThrottle

    /// `throttledPerSecond`: lines of one throttle key written per second (`log.rejected_per_second`).
    public init(writer: LogWriter, minimumLevel: LogLevel = .info, maskPhoneNumbers: Bool = true,
                throttledPerSecond: Int = Logger.defaultThrottledPerSecond) {
        self.writer = writer
        self.minimumLevel = minimumLevel
        self.maskPhoneNumbers = maskPhoneNumbers
        self.throttle = LogThrottle(perSecond: throttledPerSecond)
    }

    /// Lines per second per throttle key unless configured (`log.rejected_per_second`).
    public static let defaultThrottledPerSecond = 10

    /// Logs a line that a flood could repeat (a refused request): at most `throttledPerSecond` lines per
    /// second share `key`; the others are counted and reported once their second ends, in one line
    /// `log lines suppressed` with `reason` (the key) and `count`.
    func throttled(_ level: LogLevel, _ message: String, key: String, _ build: (inout LogLine) -> Void) {
        guard level >= minimumLevel else { return }
        let admitted = throttle.admit(key, now: Logger.now()) { [self] counts in
            for (key, count) in counts {
                log(.warn, "log lines suppressed") { line in
                    line.string("reason", key)
                    line.int("count", count)
                }
            }
        }
        if admitted { log(level, message, build) }
    }

    /// `throttled` with generic fields.
    func throttled(_ level: LogLevel, _ message: String, key: String, _ fields: KeyValuePairs<String, LogValue>) {
        throttled(level, message, key: key) { line in
            for (name, value) in fields { line.field(name, value) }
        }
    }

    public func log(_ level: LogLevel, _ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(level, message) { line in
            for (name, value) in fields { line.field(name, value) }
        }
    }

    /// Logs a line whose fields `build` writes with `LogLine`'s typed, allocation-free methods.
    public func log(_ level: LogLevel, _ message: String, _ build: (inout LogLine) -> Void) {
        guard level >= minimumLevel else { return }
        let at = Logger.now()
        writer.write { out in
            withUnsafeMutablePointer(to: &out) { pointer in
                var line = LogLine(into: pointer, level: level, message: message, at: at, maskPhoneNumbers: maskPhoneNumbers)
                build(&line)
                line.finish()
            }
        }
    }

    static func now() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    public func debug(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.info, message, fields) }
    public func warn(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.warn, message, fields) }
    public func error(_ message: String, _ fields: KeyValuePairs<String, LogValue> = [:]) { log(.error, message, fields) }

    public func flush() { writer.flush() }

    /// Renders one line (no trailing newline) as text. Pure: exposed for tests.
    public static func line(level: LogLevel, message: String, fields: KeyValuePairs<String, LogValue>,
                            at epochSeconds: Double) -> String {
        var out: [UInt8] = []
        withUnsafeMutablePointer(to: &out) { pointer in
            var line = LogLine(into: pointer, level: level, message: message, at: epochSeconds)
            for (name, value) in fields { line.field(name, value) }
            line.finish()
        }
        return String(decoding: out, as: UTF8.self)
    }
}
