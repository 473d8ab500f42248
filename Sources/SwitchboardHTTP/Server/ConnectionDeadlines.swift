import Foundation
import Synchronization
import SwitchboardCore
#if canImport(Glibc)
import Glibc
#endif

/// One connection's current deadline. Created when libmicrohttpd accepts the connection and kept
/// (retained) in its socket context until it closes.
///
/// Phases and their deadlines (all totals, which trickled bytes do not extend):
/// - `header`: from accept, or on a kept-alive connection from its next request line, to the end of
///   the header block — `header_timeout_ms`;
/// - `body`: from the header block to the end of the body — `body_timeout_ms`;
/// - `handling`: a handler or the answer is under way — none (the handler's time is not the client's);
/// - `idle`: between requests on a kept-alive connection — libmicrohttpd's idle timeout closes a silent
///   one; this bounds one that trickles a request line at `idle_timeout_seconds` + `header_timeout_ms`.
final class ConnectionClock: Sendable {
    enum Phase: UInt8 { case header = 0, body, handling, idle }

    /// The connection's socket: shut down (never closed) by the sweep, under the registry's lock.
    let fd: Int32
    fileprivate let phase = Atomic<UInt8>(Phase.header.rawValue)
    /// Uptime nanoseconds; 0 when none.
    fileprivate let deadline = Atomic<UInt64>(0)

    fileprivate init(fd: Int32) { self.fd = fd }

    /// Enters `phase`, with a deadline `nanoseconds` from now (nil: none).
    fileprivate func enter(_ phase: Phase, nanoseconds: UInt64?) {
        self.phase.store(phase.rawValue, ordering: .relaxed)
        deadline.store(nanoseconds.map { DispatchTime.now().uptimeNanoseconds + $0 } ?? 0, ordering: .releasing)
    }

    var currentPhase: Phase { Phase(rawValue: phase.load(ordering: .relaxed)) ?? .handling }
}

/// Every open connection's clock, and the sweep that cuts connections past their deadline.
///
/// libmicrohttpd 0.9.75 has only an idle timeout, which every received byte resets. The sweep
/// (a timer on its own queue) shuts down the socket of a connection past its deadline: its worker
/// wakes, reads end of file and closes it (a request in progress ends as aborted). It shuts down,
/// never closes: the descriptor stays libmicrohttpd's, and the registry's lock, taken by `closed`
/// before libmicrohttpd closes the socket, keeps a reused descriptor from being touched.
final class ConnectionDeadlines: Sendable {
    private let headerNanoseconds: UInt64
    private let bodyNanoseconds: UInt64
    private let idleNanoseconds: UInt64
    private let open = LockedValue<[ObjectIdentifier: ConnectionClock]>([:])
    private let interval: DispatchTimeInterval
    private let afterSweep: @Sendable () -> Void
    /// Made by `start` (an inactive source must not be released: libdispatch traps).
    private let timer = LockedValue<DispatchSourceTimer?>(nil)
    /// Connections cut, by the phase they were in.
    let headerCuts = Atomic<Int>(0)
    let bodyCuts = Atomic<Int>(0)

    /// `afterSweep` runs on the sweep's queue after each pass (memory trimming).
    init(configuration: HTTPServerConfiguration, afterSweep: @escaping @Sendable () -> Void) {
        headerNanoseconds = UInt64(max(1, configuration.headerTimeoutMilliseconds)) * 1_000_000
        bodyNanoseconds = UInt64(max(1, configuration.bodyTimeoutMilliseconds)) * 1_000_000
        idleNanoseconds = UInt64(max(1, configuration.idleTimeoutSeconds)) * 1_000_000_000 + headerNanoseconds
        // A fifth of the shortest deadline (at most 1 s): a connection outlives its deadline by at most that.
        let shortest = min(configuration.headerTimeoutMilliseconds, configuration.bodyTimeoutMilliseconds, 5_000)
        interval = .milliseconds(max(10, shortest / 5))
        self.afterSweep = afterSweep
    }

    /// Starts the sweep (once).
    func start() {
        timer.withLock { timer in
            guard timer == nil else { return }
            let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "switchboard.http.deadlines"))
            source.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(5))
            source.setEventHandler { [weak self] in
                guard let self else { return }
                sweep()
                afterSweep()
            }
            source.activate()
            timer = source
        }
    }

    /// Stops the sweep.
    func stop() { timer.withLock { $0?.cancel() } }

    /// A connection was accepted: its header deadline starts now.
    func opened(fd: Int32) -> ConnectionClock {
        let clock = ConnectionClock(fd: fd)
        clock.enter(.header, nanoseconds: headerNanoseconds)
        open.withLock { $0[ObjectIdentifier(clock)] = clock }
        return clock
    }

    /// The connection is closing (before libmicrohttpd closes its socket).
    func closed(_ clock: ConnectionClock) {
        _ = open.withLock { $0.removeValue(forKey: ObjectIdentifier(clock)) }
    }

    /// A request line was read. On a kept-alive connection this starts the next request's header deadline.
    func requestLineRead(_ clock: ConnectionClock) {
        if clock.currentPhase == .idle { clock.enter(.header, nanoseconds: headerNanoseconds) }
    }

    func headersComplete(_ clock: ConnectionClock) { clock.enter(.body, nanoseconds: bodyNanoseconds) }
    func handling(_ clock: ConnectionClock) { clock.enter(.handling, nanoseconds: nil) }
    func requestEnded(_ clock: ConnectionClock) { clock.enter(.idle, nanoseconds: idleNanoseconds) }

    private func sweep() {
        let now = DispatchTime.now().uptimeNanoseconds
        open.withLock { connections in
            for clock in connections.values {
                let deadline = clock.deadline.load(ordering: .acquiring)
                guard deadline != 0, now > deadline else { continue }
                // Once: the connection leaves the registry when libmicrohttpd closes it, but a second
                // shutdown before then is harmless; the deadline is cleared so it is counted once. Only
                // the deadline that passed is cleared: a worker that moved the connection on meanwhile
                // (its phase ended in time) set a new one, and then the connection is left alone.
                guard clock.deadline.compareExchange(expected: deadline, desired: 0, ordering: .acquiringAndReleasing).exchanged else {
                    continue
                }
                switch clock.currentPhase {
                case .body: bodyCuts.add(1, ordering: .relaxed)
                case .header, .idle: headerCuts.add(1, ordering: .relaxed)
                case .handling: break
                }
                _ = shutdown(clock.fd, Int32(SHUT_RDWR))
            }
        }
    }
}
