import SwitchboardCore

/// The delivery profiles of the loaded formats (each mapping file's `delivery` block): which signature
/// scheme signs a format's bodies and which headers go with them. The one table delivery code reads, so
/// that it names no vendor.
struct DeliveryFormats: Sendable {
    /// A format without a `delivery` block is signed as CallingBox-style bodies are, with no extra header.
    static let fallback = DeliveryProfile(scheme: CallingBoxSignature.schemeName)

    private let profiles: [String: DeliveryProfile]

    init(_ mappings: [FormatMapping]) {
        profiles = Dictionary(mappings.compactMap { mapping in mapping.delivery.map { (mapping.format, $0) } },
                              uniquingKeysWith: { first, _ in first })
    }

    /// The profile of `format`.
    func profile(_ format: String) -> DeliveryProfile { profiles[format] ?? Self.fallback }

    /// The signature scheme of bodies in `format`.
    static func scheme(for format: String, in mappings: [String: FormatMapping]) -> String {
        (mappings[format]?.delivery ?? fallback).scheme
    }
}
