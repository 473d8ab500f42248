import Testing
import SwitchboardCore

/// Retry schedule with jitter and exhaustion; Retry-After and HTTP-date parsing.
@Suite struct RetryPolicyTests {
    private let callingBox = RetryPolicy(scheduleSeconds: [0, 60, 300, 1800, 7200, 18_000, 36_000, 86_400], jitter: 0.2)

    @Test func scheduleWithoutJitterAtTheMidpoint() {
        #expect(callingBox.maximumAttempts == 8)
        let delays = (1...8).map { callingBox.delay(beforeAttempt: $0, unitRandom: 0.5) }
        #expect(delays == [0, 60, 300, 1800, 7200, 18_000, 36_000, 86_400])
    }

    @Test func jitterBounds() throws {
        #expect(callingBox.delay(beforeAttempt: 2, unitRandom: 0) == 48)
        #expect(callingBox.delay(beforeAttempt: 2, unitRandom: 1) == 72)
        let quarter = try #require(callingBox.delay(beforeAttempt: 3, unitRandom: 0.25))
        #expect(abs(quarter - 270) < 1e-9)
        // Out-of-range and NaN random numbers are clamped, never stretching past the bounds.
        #expect(callingBox.delay(beforeAttempt: 2, unitRandom: -3) == 48)
        #expect(callingBox.delay(beforeAttempt: 2, unitRandom: 7) == 72)
        #expect(callingBox.delay(beforeAttempt: 2, unitRandom: .nan) == 60)
        // The first attempt's 0 stays 0 whatever the jitter.
        #expect(callingBox.delay(beforeAttempt: 1, unitRandom: 1) == 0)
    }

    @Test func generatedJitterStaysInBounds() throws {
        var generator = SystemRandomNumberGenerator()
        for attempt in 2...8 {
            let base = Double(callingBox.scheduleSeconds[attempt - 1])
            for _ in 0..<200 {
                let delay = try #require(callingBox.delay(beforeAttempt: attempt, using: &generator))
                #expect(delay >= base * 0.8 && delay <= base * 1.2)
            }
        }
    }

    @Test func exhaustionAfterTheLastScheduledAttempt() {
        #expect(callingBox.delay(beforeAttempt: 9, unitRandom: 0.5) == nil)
        #expect(callingBox.delay(beforeAttempt: 0, unitRandom: 0.5) == nil)
        #expect(callingBox.delay(afterFailedAttempt: 7, unitRandom: 0.5, retryAfter: nil) == 86_400)
        #expect(callingBox.delay(afterFailedAttempt: 8, unitRandom: 0.5, retryAfter: nil) == nil)
        #expect(callingBox.delay(afterFailedAttempt: 8, unitRandom: 0.5, retryAfter: 10) == nil)
        let single = RetryPolicy(scheduleSeconds: [0], jitter: 0)
        #expect(single.delay(afterFailedAttempt: 1, unitRandom: 0.5, retryAfter: nil) == nil)
    }

    @Test func retryAfterExtendsButNeverShortens() {
        #expect(callingBox.delay(afterFailedAttempt: 1, unitRandom: 0.5, retryAfter: 120) == 120)
        #expect(callingBox.delay(afterFailedAttempt: 1, unitRandom: 0.5, retryAfter: 5) == 60)
        #expect(callingBox.delay(afterFailedAttempt: 1, unitRandom: 0, retryAfter: nil) == 48)
        #expect(RetryPolicy.combine(scheduled: 60, retryAfter: nil) == 60)
        #expect(RetryPolicy.combine(scheduled: 60, retryAfter: 0) == 60)
        #expect(RetryPolicy.combine(scheduled: 60, retryAfter: 3600) == 3600)
        #expect(RetryPolicy.combine(scheduled: 60, retryAfter: .infinity) == 60)
    }

    @Test func constructorClampsInputs() {
        let policy = RetryPolicy(scheduleSeconds: [-5, 10], jitter: 3)
        #expect(policy.scheduleSeconds == [0, 10])
        #expect(policy.jitter == 1)
        #expect(policy.delay(beforeAttempt: 2, unitRandom: 0) == 0)
        #expect(policy.delay(beforeAttempt: 2, unitRandom: 1) == 20)
        #expect(RetryPolicy(scheduleSeconds: [1], jitter: -1).jitter == 0)
        #expect(RetryPolicy(scheduleSeconds: [1], jitter: .nan).jitter == 0)
    }

    // 1994-11-06T08:49:37Z
    private let rfcExample = 784_111_777.0

    @Test func retryAfterDeltaSeconds() {
        #expect(RetryAfter.parse("120", now: 0) == 120)
        #expect(RetryAfter.parse("0", now: 0) == 0)
        #expect(RetryAfter.parse(" \t30 ", now: 0) == 30)
        #expect(RetryAfter.parse("86400", now: 0) == 86_400)
        #expect(RetryAfter.parse("86401", now: 0) == RetryAfter.maximumSeconds)
        #expect(RetryAfter.parse(String(repeating: "9", count: 400), now: 0) == RetryAfter.maximumSeconds)
    }

    @Test(arguments: ["", "   ", "-5", "+5", "1.5", "5s", "1e3", "abc", "0x10", "Sun, 06 Nov 1994",
                      "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 31 Nov 1994 08:49:37 GMT",
                      "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "sun, 06 Nov 1994 08:49:37 GMT",
                      "Sun, 6 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 6 08:49:37 1994",
                      "Foo, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMTx", "Sun, 29 Feb 1995 00:00:00 GMT"])
    func retryAfterGarbageIsNil(_ header: String) {
        #expect(RetryAfter.parse(header, now: rfcExample) == nil, "\(header)")
    }

    @Test func retryAfterHTTPDateForms() {
        let now = rfcExample - 90
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 90)
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == 90)
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: now) == 90)
        // A date in the past means "now"; one far ahead is capped.
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: rfcExample + 3600) == 0)
        #expect(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", now: rfcExample) == RetryAfter.maximumSeconds)
    }

    @Test func httpDateValues() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: 0) == rfcExample)
        #expect(HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT", now: 0) == 0)
        #expect(HTTPDate.parse("Thu, 29 Feb 2024 12:00:00 GMT", now: 0) == 1_709_208_000)
        #expect(HTTPDate.parse("Wed, 31 Dec 2025 23:59:60 GMT", now: 0) == 1_767_225_599)
        #expect(HTTPDate.parse("Sun Nov 16 08:49:37 1994", now: 0) == rfcExample + 10 * 86_400)
        // The day name is not cross-checked against the date.
        #expect(HTTPDate.parse("Mon, 06 Nov 1994 08:49:37 GMT", now: 0) == rfcExample)
    }

    @Test func rfc850TwoDigitYearIsWithinFiftyYears() {
        let in2026 = 1_780_000_000.0 // 2026-05-28
        // 94 → 2094 would be more than 50 years ahead of 2026: it is 1994.
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: in2026) == rfcExample)
        // 30 → 2030, within 50 years.
        #expect(HTTPDate.parse("Friday, 01-Mar-30 00:00:00 GMT", now: in2026) == 1_898_553_600)
        // 76 → 2076 is exactly 50 years ahead: kept; 77 → 1977.
        #expect(HTTPDate.parse("Wednesday, 01-Jan-76 00:00:00 GMT", now: in2026) == 3_345_062_400)
        #expect(HTTPDate.parse("Saturday, 01-Jan-77 00:00:00 GMT", now: in2026) == 220_924_800)
    }
}
