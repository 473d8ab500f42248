/// The release of Switchboard this build is (also sent as `User-Agent: Switchboard/<version>`).
public enum SwitchboardVersion {
    public static let current = "0.1.0"
}
