import SwitchboardCore

extension IngestService.Source {
    /// The verifier of one configured source: its scheme (with its HMAC plan), secrets and timestamp tolerance.
    init(_ config: SourceConfig) throws {
        switch config.auth {
        case .headerToken(let header, let value):
            self.init(config: config, scheme: try SignatureSchemes.scheme(named: "header-token", tokenHeader: header),
                      secrets: [value], tolerance: 0)
        case .signature(let name, let keys, let seconds):
            self.init(config: config, scheme: try SignatureSchemes.scheme(named: name, hmacPlan: config.hmacPlan), secrets: keys,
                      tolerance: Int64(seconds))
        }
    }
}

extension IngestService {
    /// `SIGHUP`: serves `configs` from the next request on. The caller (`ConfigChanges`) changes only the
    /// sources' `auth` (same names, same schemes); everything else of a source waits for a restart.
    func replaceAuthentication(_ configs: [SourceConfig]) throws {
        var rebuilt: [String: Source] = [:]
        for config in configs { rebuilt[config.name] = try Source(config) }
        sources.withLock { $0 = rebuilt }
    }
}
