#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors raised while opening the listening socket.
public struct ListenError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Opens a bound, listening, non-blocking TCP socket for `host:port` (port 0 picks a free port).
///
/// Binding ourselves (rather than letting libmicrohttpd do it) lets the server listen on any address
/// `getaddrinfo` understands, IPv4 or IPv6, and report the real port before accepting traffic.
enum ListenSocket {
    static func open(host: String, port: Int, backlog: Int32) throws -> Int32 {
        guard (0...65_535).contains(port) else {
            throw ListenError(description: "port \(port) is out of range 0-65535")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw ListenError(description: "cannot resolve listen host '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }

        var lastError = "no usable address"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd < 0 { lastError = String(cString: strerror(errno)); continue }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, backlog) == 0 {
                let flags = fcntl(fd, F_GETFL)
                _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
                return fd
            }
            lastError = String(cString: strerror(errno))
            close(fd)
        }
        throw ListenError(description: "cannot listen on \(host):\(port): \(lastError)")
    }
}
