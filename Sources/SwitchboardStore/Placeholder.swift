// SwitchboardStore
