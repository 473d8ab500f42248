import Foundation
import SwitchboardGateway

exit(SwitchboardCLI.main(Array(CommandLine.arguments.dropFirst())))
