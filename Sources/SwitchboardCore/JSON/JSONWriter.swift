/// Serialises `JSONValue` deterministically: keys in the object's order, no insignificant whitespace,
/// integers exactly, doubles in Swift's shortest round-tripping form. The same value always gives the
/// same bytes.
public enum JSONWriter {
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, to: &out)
        return out
    }

    public static func string(_ value: JSONValue) -> String {
        String(decoding: bytes(value), as: UTF8.self)
    }

    public static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let flag): out.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
        case .integer(let number): out.append(contentsOf: String(number).utf8)
        case .double(let number): appendDouble(number, to: &out)
        case .string(let text): JSONString.append(text, to: &out)
        case .array(let items):
            out.append(0x5B)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(0x2C) }
                write(item, to: &out)
            }
            out.append(0x5D)
        case .object(let object):
            out.append(0x7B)
            for index in 0..<object.keys.count {
                if index > 0 { out.append(0x2C) }
                JSONString.append(object.keys[index], to: &out)
                out.append(0x3A)
                write(object.values[index], to: &out)
            }
            out.append(0x7D)
        }
    }

    /// Integral doubles within 2^53 print without a fraction (`34`, not `34.0`), as JavaScript would;
    /// non-finite values (which JSON cannot carry) print as null.
    private static func appendDouble(_ number: Double, to out: inout [UInt8]) {
        guard number.isFinite else { out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]); return }
        if let integer = integral(number) {
            out.append(contentsOf: String(integer).utf8)
        } else {
            out.append(contentsOf: String(number).utf8)
        }
    }

    /// The integer a double holds exactly, when it is integral and within ±2^53 (where every integer is
    /// representable): such numbers are written, and shown in templates, without a fraction.
    public static func integral(_ number: Double) -> Int64? {
        number.rounded() == number && abs(number) < 9_007_199_254_740_992 ? Int64(number) : nil
    }
}
