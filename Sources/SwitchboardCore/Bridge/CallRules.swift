import Foundation

/// Ordered rules deciding an incoming call without asking anyone: the first rule whose every condition
/// holds gives the answer. Pure: the caller passes the facts of the call and the time.
public enum CallRules {
    /// The first matching rule's position and answer, or nil when none matches.
    public static func first(_ rules: [CallRule], facts: CallFacts, at time: Double) -> (index: Int, answer: CallAnswer)? {
        for (index, rule) in rules.enumerated() where rule.match.matches(facts, at: time) {
            return (index, rule.answer)
        }
        return nil
    }
}

/// One rule: conditions and the answer they give.
public struct CallRule: Sendable, Equatable {
    public var match: CallRuleMatch
    public var answer: CallAnswer

    public init(match: CallRuleMatch, answer: CallAnswer) {
        self.match = match
        self.answer = answer
    }
}

/// The conditions of a rule; all given ones must hold, and a rule without any matches every call.
public struct CallRuleMatch: Sendable, Equatable {
    public var caller: NumberMatch?
    public var callee: NumberMatch?
    /// true: the caller is in the address book (Inkbox sent contacts); false: not.
    public var knownContact: Bool?
    public var time: TimeWindow?

    public init(caller: NumberMatch? = nil, callee: NumberMatch? = nil, knownContact: Bool? = nil, time: TimeWindow? = nil) {
        self.caller = caller
        self.callee = callee
        self.knownContact = knownContact
        self.time = time
    }

    /// Whether the rule has no condition (matches every call).
    public var isEmpty: Bool { caller == nil && callee == nil && knownContact == nil && time == nil }

    public func matches(_ facts: CallFacts, at time: Double) -> Bool {
        if let caller, !caller.matches(facts.caller) { return false }
        if let callee, !callee.matches(facts.callee) { return false }
        if let knownContact, knownContact != facts.knownContact { return false }
        if let window = self.time, !window.contains(time) { return false }
        return true
    }
}

/// What the rules look at.
public struct CallFacts: Sendable, Equatable {
    /// The calling number (Inkbox `remote_phone_number`).
    public var caller: String?
    /// The called number (Inkbox `local_phone_number`).
    public var callee: String?
    /// Whether Inkbox matched the caller to at least one contact.
    public var knownContact: Bool

    public init(caller: String?, callee: String?, knownContact: Bool) {
        self.caller = caller
        self.callee = callee
        self.knownContact = knownContact
    }

    /// The facts of a canonical `call.incoming` event.
    public init(event: CallEvent) {
        self.init(caller: event.call.from, callee: event.call.to, knownContact: !(event.contacts ?? []).isEmpty)
    }
}

/// A phone number condition: the whole number, or how it starts (as sent, e.g. E.164 `+90212...`).
public enum NumberMatch: Sendable, Equatable {
    case exact(String)
    case prefix(String)

    public func matches(_ number: String?) -> Bool {
        guard let number else { return false }
        switch self {
        case .exact(let value): return number == value
        case .prefix(let value): return number.hasPrefix(value)
        }
    }
}

/// Why a rule's configuration is unusable (the configuration layer adds the key path).
public struct CallRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Times of the week in a named time zone: `from` (inclusive) to `to` (exclusive) on the given days. A
/// window whose `to` is before its `from` runs overnight and belongs to the day it starts on
/// (`fri 22:00–06:00` includes Saturday 05:00, not Friday 05:00).
public struct TimeWindow: Sendable, Equatable {
    /// The IANA zone identifier, as configured.
    public let zone: String
    /// Days as `Calendar` weekdays (1 = Sunday … 7 = Saturday).
    public let days: Set<Int>
    /// Minutes after midnight: `from` in 0..<1440, `to` in 1...1440 (24:00 ends the day).
    public let from: Int
    public let to: Int
    private let calendar: Calendar

    /// Day names in `Calendar` weekday order.
    public static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// - Parameters:
    ///   - days: `mon` … `sun`; nil or absent means every day.
    ///   - from, to: `HH:MM` (24-hour); `to` may be `24:00`. Equal times are refused (an empty window).
    public init(zone: String, days: [String]?, from: String, to: String) throws(CallRuleError) {
        guard let timeZone = TimeZone(identifier: zone) else {
            throw CallRuleError("zone: \"\(zone)\" is not a known IANA time zone")
        }
        var weekdays = Set<Int>()
        for day in days ?? Self.dayNames {
            guard let index = Self.dayNames.firstIndex(of: day) else {
                throw CallRuleError("days: \"\(day)\" is not one of \(Self.dayNames.joined(separator: ", "))")
            }
            guard weekdays.insert(index + 1).inserted else { throw CallRuleError("days: \"\(day)\" is given twice") }
        }
        guard !weekdays.isEmpty else { throw CallRuleError("days: must name at least one day") }
        let start = try Self.minutes(from, field: "from", allowEndOfDay: false)
        let end = try Self.minutes(to, field: "to", allowEndOfDay: true)
        guard start != end else {
            throw CallRuleError("from and to are both \(from): an empty window (use 00:00 to 24:00 for the whole day)")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.zone = zone
        self.days = weekdays
        self.from = start
        self.to = end
        self.calendar = calendar
    }

    /// Whether the Unix time `time` falls in the window.
    public func contains(_ time: Double) -> Bool {
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: Date(timeIntervalSince1970: time))
        guard let weekday = parts.weekday, let hour = parts.hour, let minute = parts.minute else { return false }
        let now = hour * 60 + minute
        if from < to { return days.contains(weekday) && now >= from && now < to }
        // Overnight: the evening part belongs to today, the morning part to the day before.
        if now >= from { return days.contains(weekday) }
        return now < to && days.contains(weekday == 1 ? 7 : weekday - 1)
    }

    /// `HH:MM` as minutes after midnight.
    static func minutes(_ text: String, field: String, allowEndOfDay: Bool) throws(CallRuleError) -> Int {
        let bytes = Array(text.utf8)
        func digit(_ byte: UInt8) -> Int? { (48...57).contains(byte) ? Int(byte - 48) : nil }
        guard bytes.count == 5, bytes[2] == UInt8(ascii: ":"),
              let h1 = digit(bytes[0]), let h2 = digit(bytes[1]), let m1 = digit(bytes[3]), let m2 = digit(bytes[4]) else {
            throw CallRuleError("\(field): \"\(text)\" is not a time HH:MM")
        }
        let hours = h1 * 10 + h2
        let minutes = m1 * 10 + m2
        if allowEndOfDay, hours == 24, minutes == 0 { return 1440 }
        guard hours < 24, minutes < 60 else {
            throw CallRuleError("\(field): \"\(text)\" is not a time of day (00:00 to 23:59\(allowEndOfDay ? ", or 24:00" : ""))")
        }
        return hours * 60 + minutes
    }

    public static func == (lhs: TimeWindow, rhs: TimeWindow) -> Bool {
        lhs.zone == rhs.zone && lhs.days == rhs.days && lhs.from == rhs.from && lhs.to == rhs.to
    }
}
