import CCurl
import CShims
import SwitchboardCore
#if canImport(Glibc)
import Glibc
#endif

/// The state of one request while libcurl works on it: configures an easy handle, collects the response
/// through curl's C callbacks, and turns the outcome into a `Result`.
///
/// Threading: created, called back and finished on the client's loop thread only; never shared.
///
/// Memory ownership:
/// - The easy handle belongs to the caller (``CurlLoop``), which must remove it from the multi handle and
///   reset or clean it up *before* releasing this object, because the handle holds raw pointers into it.
/// - This object owns the request header list and the error buffer it registers with the handle and frees
///   them in `deinit`. Request body bytes are copied into curl (`CURLOPT_COPYPOSTFIELDS`); curl owns that copy.
/// - Callbacks get this object as an unretained `Unmanaged` pointer; ``CurlLoop`` keeps the strong
///   reference for as long as the handle is in the multi handle, which is the only time curl calls back.
final class CurlTransfer {
    typealias Completion = @Sendable (Result<HTTPClientResponse, HTTPClientError>) -> Void

    let easy: UnsafeMutableRawPointer
    let completion: Completion
    let cancellation: CancellationToken?
    private let request: HTTPClientRequest
    private let addressPolicy: HTTPClientConfiguration.AddressPolicy?
    private let bodyCap: Int
    private let connectTimeout: Int
    private let totalTimeout: Int

    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerParser = ResponseHeaderParser()
    private var body: [UInt8] = []
    /// The body went past `bodyCap`: its first `bodyCap` bytes were kept and the transfer stopped.
    private var truncated = false
    private var refusedAddress: ResolvedAddress?

    init(easy: UnsafeMutableRawPointer, request: HTTPClientRequest, configuration: HTTPClientConfiguration,
         cancellation: CancellationToken?, completion: @escaping Completion) {
        self.easy = easy
        self.cancellation = cancellation
        self.request = request
        self.completion = completion
        addressPolicy = configuration.addressPolicy
        bodyCap = max(0, request.maxResponseBodyBytes ?? configuration.maxResponseBodyBytes)
        connectTimeout = max(1, request.connectTimeoutMilliseconds ?? configuration.connectTimeoutMilliseconds)
        totalTimeout = max(1, request.totalTimeoutMilliseconds ?? configuration.totalTimeoutMilliseconds)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Sets every option the request needs on a fresh (or freshly reset) easy handle.
    func configure() throws(HTTPClientError) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        try check(sb_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(sb_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        try check(sb_curl_easy_setopt_string(easy, CURLOPT_URL, request.url))
        try check(sb_curl_easy_setopt_string(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        // An empty proxy disables proxies, including ones named by *_proxy environment variables, so the
        // address policy always sees the real destination.
        try check(sb_curl_easy_setopt_string(easy, CURLOPT_PROXY, ""))
        try check(sb_curl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        try check(sb_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, connectTimeout))
        try check(sb_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, totalTimeout))
        try configureMethodAndBody()
        try configureHeaders()
        try check(sb_curl_easy_setopt_write_function(easy, curlTransferWrite))
        try check(sb_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        try check(sb_curl_easy_setopt_header_function(easy, curlTransferHeader))
        try check(sb_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))
        if addressPolicy != nil {
            try check(sb_curl_easy_setopt_opensocket_function(easy, curlTransferOpenSocket))
            try check(sb_curl_easy_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, context))
        }
    }

    /// The outcome once curl reports the transfer done with `code`. Call after removing the handle from the
    /// multi handle and before resetting it (reads `curl_easy_getinfo`).
    /// A transfer stopped because the body passed the cap (`CURLE_WRITE_ERROR` from `receiveBody`) is a
    /// response: its status and headers are whole, its body is the first `bodyCap` bytes, `truncated`.
    func result(code: CURLcode) -> Result<HTTPClientResponse, HTTPClientError> {
        guard code == CURLE_OK || (truncated && code == CURLE_WRITE_ERROR) else { return .failure(error(for: code)) }
        var status = 0, connects = 0, localPort = 0
        var totalMicroseconds: curl_off_t = 0
        var primaryIP: UnsafePointer<CChar>?
        _ = sb_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        _ = sb_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        _ = sb_curl_easy_getinfo_long(easy, CURLINFO_LOCAL_PORT, &localPort)
        _ = sb_curl_easy_getinfo_offt(easy, CURLINFO_TOTAL_TIME_T, &totalMicroseconds)
        _ = sb_curl_easy_getinfo_string(easy, CURLINFO_PRIMARY_IP, &primaryIP)
        return .success(HTTPClientResponse(
            status: status, headers: headerParser.headers, body: body,
            duration: .microseconds(Int64(totalMicroseconds)), reusedConnection: connects == 0,
            localPort: localPort, remoteAddress: primaryIP.map { String(cString: $0) } ?? "", truncated: truncated))
    }

    // MARK: - Callbacks (loop thread, inside curl_multi_perform)

    /// Keeps bytes up to the cap; past it, keeps what fits and stops the transfer (returns false), so a
    /// long body costs at most `bodyCap` bytes of memory and is never read to its end.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= bodyCap else {
            body.append(contentsOf: bytes.prefix(bodyCap - body.count))
            truncated = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    fileprivate func receiveHeader(_ line: UnsafeRawBufferPointer) {
        headerParser.consume(line: line)
        if let length = headerParser.contentLength, body.isEmpty {
            body.reserveCapacity(min(length, bodyCap))
        }
    }

    /// Applies the address policy; returns false (and remembers the first refusal) when refused.
    fileprivate func admit(_ address: ResolvedAddress?) -> Bool {
        guard let policy = addressPolicy else { return true }
        if let address, policy(address) { return true }
        if refusedAddress == nil { refusedAddress = address }
        return false
    }

    // MARK: - Private

    private func configureMethodAndBody() throws(HTTPClientError) {
        let method = request.method.rawValue
        guard !method.isEmpty, method.utf8.allSatisfy(HTTPToken.isTokenByte) else {
            throw HTTPClientError(.invalidRequest, message: "invalid method \(method.debugDescription)")
        }
        let sendsBody = !request.body.isEmpty || [HTTPMethod.POST, .PUT, .PATCH].contains(request.method)
        if sendsBody {
            try check(sb_curl_easy_setopt_offt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            // COPYPOSTFIELDS copies POSTFIELDSIZE bytes; an empty body still needs a valid pointer.
            let code = request.body.withUnsafeBytes { raw in
                raw.baseAddress.map { sb_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0)) }
            }
            try check(code ?? sb_curl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, ""))
            if request.method != .POST {
                try check(sb_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method))
            }
        } else if request.method == .HEAD {
            try check(sb_curl_easy_setopt_long(easy, CURLOPT_NOBODY, 1))
        } else if request.method != .GET {
            try check(sb_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method))
        }
    }

    private func configureHeaders() throws(HTTPClientError) {
        var lines: [String] = []
        for field in request.headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(HTTPToken.isTokenByte),
                  !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw HTTPClientError(.invalidRequest, message: "invalid header field \(field.name.debugDescription)")
            }
            // curl treats "Name:" as "remove this header"; "Name;" sends it with an empty value.
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        for suppressed in ["Expect", "Content-Type"] where !request.headers.contains(suppressed) {
            lines.append("\(suppressed):")
        }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPClientError(.other, message: "out of memory building the header list")
            }
            headerList = appended
        }
        try check(sb_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList))
    }

    private func check(_ code: CURLcode) throws(HTTPClientError) {
        guard code == CURLE_OK else { throw HTTPClientError(curlCode: code, detail: "") }
    }

    private func error(for code: CURLcode) -> HTTPClientError {
        let detail = String(cString: errorBuffer)
        if let address = refusedAddress, code == CURLE_COULDNT_CONNECT {
            return HTTPClientError(.blockedAddress, curlCode: Int(code.rawValue),
                                   message: "address \(address) refused by the outbound address policy",
                                   blockedAddress: address)
        }
        return HTTPClientError(curlCode: code, detail: detail)
    }
}

// MARK: - C callbacks
// Each receives the CurlTransfer as an unretained Unmanaged pointer (see the ownership note above).

private func transfer(from context: UnsafeMutableRawPointer?) -> CurlTransfer? {
    context.map { Unmanaged<CurlTransfer>.fromOpaque($0).takeUnretainedValue() }
}

/// `CURLOPT_WRITEFUNCTION`: appends body bytes; returning less than given aborts with `CURLE_WRITE_ERROR`.
private func curlTransferWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                               _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let transfer = transfer(from: context) else { return 0 }
    let accepted = transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : length))
    return accepted ? length : 0
}

/// `CURLOPT_HEADERFUNCTION`: one complete header line per call (status lines included).
private func curlTransferHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                                _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let transfer = transfer(from: context) else { return 0 }
    transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : length))
    return length
}

/// `CURLOPT_OPENSOCKETFUNCTION`: called after DNS resolution with the address about to be connected to.
/// Opens the socket exactly as curl's default would, or refuses with `CURL_SOCKET_BAD`.
private func curlTransferOpenSocket(_ context: UnsafeMutableRawPointer?, _ purpose: curlsocktype,
                                    _ address: UnsafeMutablePointer<curl_sockaddr>?) -> curl_socket_t {
    guard let transfer = transfer(from: context), let address,
          let offset = MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr) else { return sb_curl_socket_bad() }
    // curl stores the address in storage large enough for any family, so reading addrlen bytes is valid.
    let resolved = ResolvedAddress(sockaddr: UnsafeRawPointer(address) + offset, length: Int(address.pointee.addrlen))
    guard transfer.admit(resolved) else { return sb_curl_socket_bad() }
    return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
}
