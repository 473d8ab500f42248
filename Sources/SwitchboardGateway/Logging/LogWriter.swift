import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes log lines to a file descriptor from a background thread, so callers (server threads answering
/// requests) only append to a buffer. Lines reach the descriptor within `flushInterval` or as soon as
/// the buffer passes `flushThreshold`. If the descriptor cannot keep up and `maxBufferedBytes` pile up,
/// further lines are dropped and counted rather than blocking request threads; the count is reported.
public final class LogWriter: @unchecked Sendable {
    private let fileDescriptor: Int32
    private let flushInterval: TimeInterval
    private let flushThreshold = 64 << 10
    private let maxBufferedBytes = 8 << 20
    private let condition = NSCondition()
    /// Held while taking and writing a batch, so batches reach the descriptor whole and in order
    /// whichever thread (flusher, `flush`, `close`) writes them. Taken before `condition`, never after.
    private let output = NSLock()
    private var buffer: [UInt8] = []
    private var dropped = 0
    private var closed = false
    private var flusherRunning = false

    public init(fileDescriptor: Int32 = STDERR_FILENO, flushInterval: TimeInterval = 0.05) {
        self.fileDescriptor = fileDescriptor
        self.flushInterval = flushInterval
        buffer.reserveCapacity(flushThreshold * 2)
        let thread = Thread { [self] in run() }
        thread.name = "switchboard-log"
        flusherRunning = true
        thread.start()
    }

    /// Appends one line (a newline is added).
    public func write(_ line: String) {
        write(Array(line.utf8))
    }

    /// Appends one line of UTF-8 bytes (a newline is added).
    public func write(_ line: [UInt8]) {
        write { $0.append(contentsOf: line) }
    }

    /// Appends one line that `render` writes straight into the shared buffer (a newline is added), saving
    /// an intermediate allocation per line. `render` runs under the writer's lock: keep it short.
    public func write(rendering render: (inout [UInt8]) -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        guard buffer.count < maxBufferedBytes else { dropped += 1; return }
        render(&buffer)
        buffer.append(0x0A)
        if buffer.count >= flushThreshold { condition.signal() }
    }

    /// Writes everything buffered so far before returning.
    public func flush() {
        drain()
    }

    /// Flushes and stops the background thread. Later writes are ignored.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        while flusherRunning { condition.wait() }
        condition.unlock()
        drain()
    }

    private func run() {
        while true {
            condition.lock()
            if !closed && buffer.count < flushThreshold {
                _ = condition.wait(until: Date(timeIntervalSinceNow: flushInterval))
            }
            let finished = closed
            condition.unlock()
            drain()
            if finished { break }
        }
        condition.lock()
        flusherRunning = false
        condition.broadcast()
        condition.unlock()
    }

    private func drain() {
        output.lock()
        defer { output.unlock() }
        condition.lock()
        let pending = take()
        condition.unlock()
        writeAll(pending)
    }

    /// Swaps the buffer out; call with the lock held.
    private func take() -> [UInt8] {
        var pending = buffer
        buffer = []
        buffer.reserveCapacity(flushThreshold * 2)
        if dropped > 0 {
            pending.append(contentsOf: Array("{\"level\":\"warn\",\"msg\":\"log lines dropped\",\"count\":\(dropped)}\n".utf8))
            dropped = 0
        }
        return pending
    }

    private func writeAll(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.write(fileDescriptor, raw.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return  // nowhere to report a failing log descriptor; drop rather than spin
            }
            offset += written
        }
    }
}
