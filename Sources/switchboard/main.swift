import SwitchboardGateway
print("switchboard")
