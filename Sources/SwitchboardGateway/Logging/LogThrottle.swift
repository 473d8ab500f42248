import Foundation
import SwitchboardCore

/// Per-key log budgets in one-second windows: at most `perSecond` lines of a key per window; the rest
/// are counted, and each window that suppressed lines is reported once it has ended. Pure: the clock
/// is passed in.
struct ThrottleWindows: Sendable {
    private struct Window {
        var start: Double
        var written = 0
        var suppressed = 0
    }

    /// Lines of one key written per one-second window (0: none, only the suppressed counts).
    let perSecond: Int
    private var windows: [String: Window] = [:]
    /// Suppressed counts of windows that have ended and are not reported yet.
    private var ended: [String: Int] = [:]

    init(perSecond: Int) { self.perSecond = max(0, perSecond) }

    /// Whether a line of `key` may be written at `now`; when not, it is counted as suppressed.
    mutating func admit(_ key: String, at now: Double) -> Bool {
        var window = windows[key] ?? Window(start: now)
        if now - window.start >= 1 || now < window.start {
            if window.suppressed > 0 { ended[key, default: 0] += window.suppressed }
            window = Window(start: now)
        }
        let admitted = window.written < perSecond
        if admitted { window.written += 1 } else { window.suppressed += 1 }
        windows[key] = window
        return admitted
    }

    /// The suppressed counts of windows ended by `now`, by key (those windows are forgotten).
    mutating func takeSuppressed(at now: Double) -> [(key: String, count: Int)] {
        for (key, window) in windows where now - window.start >= 1 {
            if window.suppressed > 0 { ended[key, default: 0] += window.suppressed }
            windows[key] = nil
        }
        defer { ended = [:] }
        return ended.sorted { $0.key < $1.key }.map { (key: $0.key, count: $0.value) }
    }

    /// When the earliest window still holding suppressed lines ends; nil when none does.
    var nextReport: Double? {
        let open = windows.values.filter { $0.suppressed > 0 }.map { $0.start + 1 }
        return ended.isEmpty ? open.min() : 0
    }
}

/// A shared, locked `ThrottleWindows` with the timer that writes the "suppressed" lines: once a window
/// that suppressed lines ends, one line per key (`log lines suppressed`, `reason`, `count`) even when no
/// further line of that key comes. Keeps a flood of refused requests to a bounded number of log lines.
final class LogThrottle: Sendable {
    private struct State {
        var windows: ThrottleWindows
        var reportScheduled = false
    }

    private let state: LockedValue<State>

    init(perSecond: Int) { state = LockedValue(State(windows: ThrottleWindows(perSecond: perSecond))) }

    var perSecond: Int { state.withLock { $0.windows.perSecond } }

    /// Whether a line of `key` may be written now; `report` writes the suppressed counts later.
    func admit(_ key: String, now: Double, report: @escaping @Sendable ([(key: String, count: Int)]) -> Void) -> Bool {
        let (admitted, schedule) = state.withLock { state -> (Bool, Bool) in
            let admitted = state.windows.admit(key, at: now)
            let schedule = !admitted && !state.reportScheduled
            if schedule { state.reportScheduled = true }
            return (admitted, schedule)
        }
        if schedule { scheduleReport(after: 1, report) }
        return admitted
    }

    private func scheduleReport(after seconds: Double, _ report: @escaping @Sendable ([(key: String, count: Int)]) -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + max(seconds, 0.01)) { [self] in
            let now = Date().timeIntervalSince1970
            let (counts, next) = state.withLock { state -> ([(key: String, count: Int)], Double?) in
                let counts = state.windows.takeSuppressed(at: now)
                let next = state.windows.nextReport
                state.reportScheduled = next != nil
                return (counts, next)
            }
            if !counts.isEmpty { report(counts) }
            if let next { scheduleReport(after: next - now, report) }
        }
    }
}
