import SwitchboardCore

/// Builds one JSON log line directly into the writer's byte buffer: `{"ts":...,"level":...,"msg":...`
/// then fields. No intermediate strings: the access log runs this once per request.
public struct LogLine: ~Copyable {
    private var out: UnsafeMutablePointer<[UInt8]>
    private let maskPhoneNumbers: Bool

    init(into out: UnsafeMutablePointer<[UInt8]>, level: LogLevel, message: String, at epochSeconds: Double,
         maskPhoneNumbers: Bool = true) {
        self.out = out
        self.maskPhoneNumbers = maskPhoneNumbers
        out.pointee.append(contentsOf: #"{"ts":""#.utf8)
        Timestamp.appendISO8601(epochSeconds, fractionDigits: 3, to: &out.pointee)
        out.pointee.append(contentsOf: #"","level":""#.utf8)
        out.pointee.append(contentsOf: level.rawValue.utf8)
        out.pointee.append(contentsOf: #"","msg":"#.utf8)
        JSONString.append(maskPhoneNumbers ? PhoneMask.mask(message) : message, to: &out.pointee)
    }

    private mutating func key(_ name: StaticString) {
        out.pointee.append(0x2C)
        out.pointee.append(0x22)
        out.pointee.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.pointee.append(contentsOf: [0x22, 0x3A])
    }

    public mutating func string(_ name: StaticString, _ value: String) {
        key(name)
        JSONString.append(maskPhoneNumbers ? PhoneMask.mask(value) : value, to: &out.pointee)
    }

    public mutating func int(_ name: StaticString, _ value: Int) {
        key(name)
        LogLine.appendInteger(value, to: &out.pointee)
    }

    public mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        out.pointee.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Seconds written as milliseconds with three decimals (microsecond resolution).
    public mutating func milliseconds(_ name: StaticString, seconds: Double) {
        key(name)
        let micros = seconds.isFinite ? Int((max(seconds, 0) * 1e6).rounded()) : 0
        LogLine.appendInteger(micros / 1000, to: &out.pointee)
        out.pointee.append(0x2E)
        let fraction = micros % 1000
        out.pointee.append(contentsOf: [UInt8(48 + fraction / 100), UInt8(48 + fraction / 10 % 10), UInt8(48 + fraction % 10)])
    }

    /// A field whose name is only known at run time (generic `Logger.log` fields).
    mutating func field(_ name: String, _ value: LogValue) {
        out.pointee.append(0x2C)
        JSONString.append(name, to: &out.pointee)
        out.pointee.append(0x3A)
        switch value {
        case .string(let text): JSONString.append(maskPhoneNumbers ? PhoneMask.mask(text) : text, to: &out.pointee)
        case .int(let number): LogLine.appendInteger(number, to: &out.pointee)
        case .double(let number): out.pointee.append(contentsOf: (number.isFinite ? String(number) : "null").utf8)
        case .bool(let flag): out.pointee.append(contentsOf: (flag ? "true" : "false").utf8)
        }
    }

    consuming func finish() {
        out.pointee.append(0x7D)
    }

    static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value < 0 {
            out.append(0x2D)
            if value == .min { out.append(contentsOf: String(value).utf8.dropFirst()); return }
        }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(48 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }
}
