import SwitchboardCore
import SwitchboardHTTP

extension EndpointCommands {
    /// `POST …/{id}/rotate_secret` of both endpoint APIs, with an optional body
    /// `{"grace_period_seconds": N}`: a new current secret, shown in this answer only (200 with the
    /// endpoint; for a key-pair endpoint, `v1a`, a new key pair whose public key is shown); the previous one keeps signing beside it for N seconds (0: revoked now; default
    /// `delivery.secret_rotation_overlap_seconds`; 0 to 30 days, 422 naming the field otherwise). A
    /// secret still in the grace of an earlier rotation is dropped at once (`SecretRotation`).
    /// Logs `secret rotated` with the endpoint and the grace, never the secret.
    func rotate(_ request: HTTPRequest) throws -> ManagementAPI.Transaction {
        let id = try id(request)
        var fields = try RequestFields(body: request.body)
        let grace = try fields.int("grace_period_seconds", range: 0...SecretRotation.maximumGraceSeconds)
            ?? Int(api.rotationOverlapSeconds)
        try fields.finish()
        let now = api.now
        return { [self] connection in
            var endpoint = try find(connection, id: id)
            let secret = try WebhookSecret.make(for: endpoint.scheme)
            try SecretRotation.rotate(connection, endpointID: id, to: secret, now: now, graceSeconds: grace)
            endpoint.updatedAt = now
            try EndpointRecords.update(connection, endpoint)
            var answer = committed(200, present(endpoint, WebhookSecret.shownOnce(secret, scheme: endpoint.scheme)), endpoint)
            let registered = answer.afterCommit
            answer.afterCommit = { [api, kind] in
                registered?()
                api.logger.info("secret rotated", ["endpoint": .string(id), "api": .string(kind.rawValue),
                                                   "grace_seconds": .int(grace)])
            }
            return answer
        }
    }
}
