import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A webhook receiver on loopback that never answers: it accepts each connection, reads the request and
/// leaves it open (the attempt then lasts the whole `delivery.timeout_ms`), or, built with `answering`,
/// answers 200 to requests whose path starts with that prefix and holds the others. It counts the
/// connections open at once (one thread each notices when the client closes). `acceptsConnections: false` never
/// accepts at all (a backlog of one; later connection attempts time out).
final class HangingReceiver: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let answering: String?
    private let lock = NSLock()
    private var connections: [Int32] = []
    private var heldCount = 0
    private var answeredCount = 0
    private var mostOpen = 0
    private var stopped = false

    init(answering: String? = nil, acceptsConnections: Bool = true) throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { [listener] in
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, acceptsConnections ? 1024 : 0) == 0
                    && getsockname(listener, $0, &length) == 0
            }
        }
        guard listener >= 0, listening else {
            close(listener)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.answering = answering
        if acceptsConnections { Thread { [self] in acceptLoop() }.start() }
    }

    /// Requests received and never answered (each holds its connection open).
    var held: Int { lock.withLock { heldCount } }
    /// Requests answered 200 (paths starting with `answering`).
    var answered: Int { lock.withLock { answeredCount } }
    /// Connections open now (the client has not closed them).
    var open: Int { lock.withLock { connections.count } }
    /// The most connections open at once since the start or the last ``resetMostOpen()``.
    var maxOpen: Int { lock.withLock { mostOpen } }

    func resetMostOpen() { lock.withLock { mostOpen = connections.count } }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Closes the listener and every connection (the client's attempts then fail at once).
    func stop() {
        let open = lock.withLock { () -> [Int32] in
            stopped = true
            defer { connections.removeAll() }
            return connections
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in open {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            let keep = lock.withLock { () -> Bool in
                guard !stopped else { return false }
                connections.append(fd)
                mostOpen = max(mostOpen, connections.count)
                return true
            }
            guard keep else {
                close(fd)
                return
            }
            Thread { [self] in
                serve(fd)
                // The client closed it (unless stop() did, and took it out of the list first).
                let mine = lock.withLock { () -> Bool in
                    guard let index = connections.firstIndex(of: fd) else { return false }
                    connections.remove(at: index)
                    return true
                }
                if mine { close(fd) }
            }.start()
        }
    }

    /// Reads requests off one connection until the client closes it: answers those under the
    /// `answering` prefix; holds the first other one, reading on only to notice the close.
    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var holding = false
        while true {
            guard !holding, let request = Self.takeRequest(&buffer) else {
                let count = recv(fd, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                if !holding { buffer.append(contentsOf: chunk[0..<count]) }
                continue
            }
            guard let answering, request.hasPrefix(answering) else {
                lock.withLock { heldCount += 1 }
                holding = true
                continue
            }
            let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
            guard send(fd, reply, reply.count, Int32(MSG_NOSIGNAL)) == reply.count else { return }
            lock.withLock { answeredCount += 1 }
        }
    }

    /// The path of the first complete request in `buffer` (head and `Content-Length` body), removed from it.
    private static func takeRequest(_ buffer: inout [UInt8]) -> String? {
        let end = Array("\r\n\r\n".utf8)
        guard let headEnd = (0...max(0, buffer.count - 4)).first(where: { buffer.count >= 4 && Array(buffer[$0..<$0 + 4]) == end }) else {
            return nil
        }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        guard buffer.count >= headEnd + 4 + length else { return nil }
        buffer.removeFirst(headEnd + 4 + length)
        let requestLine = lines.first?.split(separator: " ") ?? []
        return requestLine.count > 1 ? String(requestLine[1]) : ""
    }
}
