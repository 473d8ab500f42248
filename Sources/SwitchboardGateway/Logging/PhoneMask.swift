/// Masks phone numbers in log text: every digit but the last 4 becomes `*`, separators stay, so
/// `+90 555 555 55 55` → `+** *** *** 55 55` and `(415) 555-0123` → `(***) ***-0123`. Logs outlive calls;
/// a caller's number is personal data. Pure.
///
/// A candidate is a run of digit groups joined by one space or dash (a group may be parenthesized,
/// `(415)`), optionally after `+`, that stands alone (no letter, digit, `_` or `.` touching it, no `:`,
/// `.` or `,` going on into more digits; see `standsAlone`). Its longest run of first groups that has
/// the right digit count for its shape is a phone number:
///
/// | shape | digits | example |
/// |---|---|---|
/// | `+` then digits (E.164, separators allowed) | 7–15 | `+14155550123`, `+1 (415) 555-0123` |
/// | `00` then a non-zero digit (international prefix) | 9–17 | `0090 555 555 5555` |
/// | national, starting with the trunk `0` | 8–15 | `05555555555`, `0555 555 55 55`, `020-7946-0958` |
/// | national, parenthesized area code | 7–15 | `(415) 555-0123` |
/// | North American, grouped 3-3-4 (optionally after `1`) | 10–11 | `415-555-0123`, `1 415 555 0123` |
///
/// Everything else stays: UUIDs (their groups touch letters or hold too many digits), timestamps and
/// dates (`2026-12-07T…`, a 4-2-2 or 2-2-4 group shape), times and ports (`:`), decimals, durations and
/// IP addresses (`.`), bare integers that do not start with `0` (Unix times, counts, ids), national
/// shapes with a one-digit group after the first, and groups joined otherwise (`8000-8080`). A bare 10-digit North American number without separators (`4155550123`) is not
/// recognized: it cannot be told from a Unix time.
public enum PhoneMask {
    public static func mask(_ text: String) -> String {
        // Fast path: a value with fewer than 7 digits holds no phone number.
        guard mayHoldNumber(text.utf8) else { return text }
        var bytes = Array(text.utf8)
        var index = 0
        var masked = false
        while index < bytes.count {
            guard startsCandidate(bytes, at: index) else { index += 1; continue }
            let candidate = scan(bytes, from: index)
            if let number = candidate.longestPhoneNumber(bytes) {
                maskDigits(&bytes, number, keeping: 4)
                masked = true
                index = number.upperBound
            } else {
                // A number may start at a later group ("ids 12 05555555555").
                index = max(candidate.groups.first?.end ?? index, index + 1)
            }
        }
        return masked ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// A scanned run of digit groups.
    struct Candidate {
        struct Group {
            var digits: Int
            var parenthesized: Bool
            /// The offset just past the group.
            var end: Int
        }

        var start: Int
        var plus: Bool
        var groups: [Group] = []

        var end: Int { groups.last?.end ?? start }
        var sizes: [Int] { groups.map(\.digits) }

        /// The longest run of its first groups that is a phone number, as a byte range; nil when none is.
        func longestPhoneNumber(_ bytes: [UInt8]) -> Range<Int>? {
            var candidate = self
            while !candidate.groups.isEmpty {
                if candidate.isPhoneNumber(bytes) { return candidate.start..<candidate.end }
                candidate.groups.removeLast()
            }
            return nil
        }

        func isPhoneNumber(_ bytes: [UInt8]) -> Bool {
            guard let first = groups.first, standsAlone(bytes) else { return false }
            let digits = sizes.reduce(0, +)
            if plus { return (7...15).contains(digits) }
            let leading = leadingDigits(bytes, 3)
            if leading.starts(with: [0x30, 0x30]) {
                return leading.count == 3 && leading[2] != 0x30 && (9...17).contains(digits)
            }
            if sizes == [4, 2, 2] || sizes == [2, 2, 4] { return false }  // a date
            if groups.dropFirst().contains(where: { $0.digits < 2 }) { return false }
            if first.parenthesized { return (7...15).contains(digits) }
            if leading.first == 0x30 { return (8...15).contains(digits) }
            return sizes == [3, 3, 4] || (sizes == [1, 3, 3, 4] && leading.first == 0x31)
        }

        private func leadingDigits(_ bytes: [UInt8], _ count: Int) -> [UInt8] {
            var digits: [UInt8] = []
            for position in start..<end where PhoneMask.isDigit(bytes[position]) {
                digits.append(bytes[position])
                if digits.count == count { break }
            }
            return digits
        }

        /// Not part of a longer word or number on either side: no letter, digit, `_` or `.` before it (nor
        /// `:` unless it starts with `+`, nor a dash that follows one); after it no letter, digit or `_`,
        /// no dash before one, and no `.`, `:` or `,` before a digit.
        private func standsAlone(_ bytes: [UInt8]) -> Bool {
            if start > 0 {
                let before = bytes[start - 1]
                if PhoneMask.isWordByte(before) || before == 0x2E || (before == 0x3A && !plus) { return false }
                if before == 0x2D, start > 1, PhoneMask.isWordByte(bytes[start - 2]) { return false }
            }
            guard end < bytes.count else { return true }
            let after = bytes[end]
            if PhoneMask.isWordByte(after) { return false }
            guard end + 1 < bytes.count else { return true }
            let next = bytes[end + 1]
            if after == 0x2D && PhoneMask.isWordByte(next) { return false }
            return !((after == 0x2E || after == 0x3A || after == 0x2C) && PhoneMask.isDigit(next))
        }
    }

    /// The most digits and groups any phone number here has (`00` + 15 digits; `+90 555 555 55 55` is 5
    /// groups): a scan stops there, so a long run of digit groups (`1-(1)-(1)-…`, which anyone can put in a
    /// path) costs a bounded amount per starting group instead of growing with the run.
    static let maxDigits = 17
    static let maxGroups = 8

    /// Scans the longest run of groups from `start` (a `+`, `(` or digit) that could still be a phone
    /// number: groups joined by one space or dash, or directly after a closing parenthesis, at most
    /// `maxGroups` of them and `maxDigits` digits in all.
    static func scan(_ bytes: [UInt8], from start: Int) -> Candidate {
        let plus = bytes[start] == 0x2B
        var candidate = Candidate(start: start, plus: plus)
        var index = plus ? start + 1 : start
        var digits = 0
        while candidate.groups.count < maxGroups, let group = group(bytes, at: index), digits + group.digits <= maxDigits {
            digits += group.digits
            candidate.groups.append(group)
            index = group.end
            guard index < bytes.count else { break }
            if index + 1 < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x2D,
               isDigit(bytes[index + 1]) || bytes[index + 1] == 0x28 {
                index += 1
            } else if !(group.parenthesized && isDigit(bytes[index])) {
                break
            }
        }
        return candidate
    }

    /// A group at `index`: digits, or digits in parentheses; nil when there is none.
    private static func group(_ bytes: [UInt8], at index: Int) -> Candidate.Group? {
        let parenthesized = index < bytes.count && bytes[index] == 0x28
        var end = parenthesized ? index + 1 : index
        while end < bytes.count, isDigit(bytes[end]) { end += 1 }
        let digits = end - index - (parenthesized ? 1 : 0)
        guard digits > 0 else { return nil }
        if parenthesized {
            guard end < bytes.count, bytes[end] == 0x29 else { return nil }
            end += 1
        }
        return Candidate.Group(digits: digits, parenthesized: parenthesized, end: end)
    }

    private static func startsCandidate(_ bytes: [UInt8], at index: Int) -> Bool {
        let byte = bytes[index]
        guard isDigit(byte) || byte == 0x2B || byte == 0x28 else { return false }
        return index == 0 || !(isWordByte(bytes[index - 1]) || bytes[index - 1] == 0x2B || bytes[index - 1] == 0x28)
    }

    private static func maskDigits(_ bytes: inout [UInt8], _ range: Range<Int>, keeping kept: Int) {
        var remaining = range.reduce(0) { $0 + (isDigit(bytes[$1]) ? 1 : 0) } - kept
        for position in range where remaining > 0 && isDigit(bytes[position]) {
            bytes[position] = 0x2A
            remaining -= 1
        }
    }

    /// Whether `text` has 7 digits at all (the fewest any phone number here has).
    private static func mayHoldNumber(_ text: String.UTF8View) -> Bool {
        var digits = 0
        for byte in text where isDigit(byte) {
            digits += 1
            if digits >= 7 { return true }
        }
        return false
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Letters, digits and `_`: bytes that make a word go on. Non-ASCII bytes count as letters.
    static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }
}
