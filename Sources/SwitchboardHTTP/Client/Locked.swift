import SwitchboardCore

/// A value guarded by a lock, for state shared between callers and the loop thread
/// (a pthread mutex: see `LockedValue` for why not `Synchronization.Mutex`).
typealias Locked<Value> = LockedValue<Value>
