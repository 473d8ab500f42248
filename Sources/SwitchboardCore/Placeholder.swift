// SwitchboardCore
