/// When the attempts of one delivery are due: a fixed schedule of delays with multiplicative jitter.
///
/// Attempt `n` (1-based) is due `scheduleSeconds[n-1]` seconds after the previous attempt ended (for the
/// first attempt: after the delivery was created; that delay is normally 0), the delay multiplied by a
/// factor drawn uniformly from `[1 - jitter, 1 + jitter]`. After the last scheduled attempt has failed
/// the delivery is exhausted. CallingBox's schedule (`0, 60, 300, 1800, 7200, 18000, 36000, 86400`,
/// ±20 %) is the configuration default.
///
/// Randomness is a parameter (`unitRandom`, in `[0, 1]`) so the arithmetic is testable; the
/// `using:` variants draw it from a generator.
public struct RetryPolicy: Sendable, Hashable {
    /// The delay before each attempt, in seconds; its count is the number of attempts.
    public let scheduleSeconds: [Int]
    /// The fraction each delay varies by, in `0...1`.
    public let jitter: Double

    /// Negative delays count as 0; `jitter` is clamped to `0...1` (NaN counts as 0).
    public init(scheduleSeconds: [Int], jitter: Double) {
        self.scheduleSeconds = scheduleSeconds.map { max($0, 0) }
        self.jitter = jitter.isNaN ? 0 : min(max(jitter, 0), 1)
    }

    /// How many attempts a delivery gets before it is exhausted.
    public var maximumAttempts: Int { scheduleSeconds.count }

    /// Seconds to wait before attempt `attempt` (1-based), counted from the end of the previous
    /// attempt; nil when there is no such attempt (the delivery is exhausted). `unitRandom` picks the
    /// jitter factor: 0 gives `1 - jitter`, 0.5 gives 1, 1 gives `1 + jitter` (values outside `0...1`
    /// are clamped).
    public func delay(beforeAttempt attempt: Int, unitRandom: Double) -> Double? {
        guard attempt >= 1, attempt <= scheduleSeconds.count else { return nil }
        let u = unitRandom.isNaN ? 0.5 : min(max(unitRandom, 0), 1)
        return Double(scheduleSeconds[attempt - 1]) * (1 + jitter * (2 * u - 1))
    }

    /// ``delay(beforeAttempt:unitRandom:)`` with the random number drawn from `generator`.
    public func delay(beforeAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Double? {
        delay(beforeAttempt: attempt, unitRandom: Double.random(in: 0...1, using: &generator))
    }

    /// After attempt `failedAttempt` (1-based) has failed: seconds until the next attempt, honouring the
    /// receiver's `Retry-After` (already parsed by ``RetryAfter/parse(_:now:)``) when it asks for longer
    /// than the schedule. Nil when the schedule is exhausted: a `Retry-After` grants no extra attempt.
    public func delay(afterFailedAttempt failedAttempt: Int, unitRandom: Double, retryAfter: Double?) -> Double? {
        guard let scheduled = delay(beforeAttempt: failedAttempt + 1, unitRandom: unitRandom) else { return nil }
        return Self.combine(scheduled: scheduled, retryAfter: retryAfter)
    }

    /// The wait when both the schedule and the receiver have a say: the longer of the two, since a
    /// receiver asking for a pause should get it, and a short `Retry-After` must not speed up the schedule.
    public static func combine(scheduled: Double, retryAfter: Double?) -> Double {
        guard let retryAfter, retryAfter.isFinite else { return scheduled }
        return max(scheduled, retryAfter)
    }
}

/// The `Retry-After` response header (RFC 9110 §10.2.3), as seconds to wait.
public enum RetryAfter {
    /// The longest wait honoured: 24 hours, CallingBox's longest scheduled delay. A receiver asking for
    /// more (or an absurd delta) is waited on for this long, then the schedule goes on.
    public static let maximumSeconds: Double = 86_400

    /// Seconds to wait from `now` (Unix seconds): `delta-seconds` (ASCII digits only: no sign, no
    /// fraction) or an HTTP-date (``HTTPDate``), surrounding spaces and tabs ignored. A date in the past
    /// gives 0; anything over ``maximumSeconds`` gives ``maximumSeconds``. Nil for anything else,
    /// including negative numbers and empty values.
    public static func parse(_ header: String, now: Double) -> Double? {
        let text = trimmingWhitespace(header)
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
            // Saturates rather than overflowing on a very long digit string.
            var value = 0.0
            for byte in text.utf8 where value <= maximumSeconds { value = value * 10 + Double(byte - 0x30) }
            return min(value, maximumSeconds)
        }
        guard let date = HTTPDate.parse(String(text), now: now) else { return nil }
        return min(max(date - now, 0), maximumSeconds)
    }

    private static func trimmingWhitespace(_ text: String) -> Substring {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isWhitespace($0) }),
              let last = text.lastIndex(where: { !isWhitespace($0) }) else { return "" }
        return text[first...last]
    }
}
