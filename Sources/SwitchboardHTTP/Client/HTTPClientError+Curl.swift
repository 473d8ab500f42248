import CCurl

extension HTTPClientError {
    /// Classifies a failed transfer's `CURLcode`. `detail` is the contents of the transfer's error buffer;
    /// when empty, curl's generic text for the code is used.
    init(curlCode code: CURLcode, detail: String) {
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        self.init(Self.kind(of: code), curlCode: Int(code.rawValue), message: message)
    }

    /// A failure of a `curl_multi_*` call rather than of one transfer.
    init(multiCode code: CURLMcode, during operation: String) {
        self.init(.other, curlCode: Int(code.rawValue),
                  message: "\(operation): \(String(cString: curl_multi_strerror(code)))")
    }

    private static func kind(of code: CURLcode) -> Kind {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .invalidURL
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dns
        case CURLE_COULDNT_CONNECT:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_ENGINE_NOTFOUND,
             CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_USE_SSL_FAILED, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CLIENTCERT:
            return .tls
        default:
            return .other
        }
    }
}
