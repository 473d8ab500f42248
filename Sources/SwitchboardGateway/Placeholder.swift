// SwitchboardGateway
