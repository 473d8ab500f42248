import Foundation

/// `SIGHUP` in `serve`: re-reads the configuration file and checks it fully (as at start). Invalid: one
/// error line `config reload failed`, the served configuration stays. Valid: the live part is applied
/// (`ConfigChanges`: api_keys, sources' auth) and one line `config reloaded` names what changed
/// (`changed`) and what changed but waits for a restart (`restart_required`), key paths only.
struct ConfigReloader {
    let file: String
    let arguments: ParsedArguments
    /// The configuration being served (the start's, with the live changes of earlier reloads).
    private(set) var served: GatewayConfig

    init(file: String, arguments: ParsedArguments, served: GatewayConfig) {
        self.file = file
        self.arguments = arguments
        self.served = served
    }

    mutating func reload(_ gateway: Gateway, logger: Logger) {
        let changes: ConfigChanges
        do {
            changes = ConfigChanges(from: served, to: try ConfigCommand.load(arguments, file: file))
            try gateway.reload(changes)
        } catch {
            let text = (error as? ConfigError)?.description ?? "\(error)"
            logger.error("config reload failed", ["error": .string(text), "kept": "the configuration being served"])
            return
        }
        served = changes.effective
        logger.info("config reloaded", ["file": .string(file), "changed": .string(changes.live.joined(separator: ", ")),
                                        "restart_required": .string(changes.restartRequired.joined(separator: ", "))])
    }
}
