// swift-tools-version:6.0
// Switchboard: a telephony event gateway. No SwiftPM package dependencies: only the toolchain,
// Foundation, and C libraries from Debian -dev packages reached through system-library targets.
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
    ],
    targets: [
        // System libraries (module map + umbrella header each; flags from pkg-config).
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        // JSON reading: yajl's streaming parser builds our own value type in one pass.
        .systemLibrary(name: "CYAJL", pkgConfig: "yajl",
                       providers: [.apt(["libyajl-dev"])]),
        // Fixed-signature wrappers for the C variadics Swift cannot call.
        .target(name: "CShims", dependencies: ["CCurl", "CMicroHTTPD"]),

        // Pure logic, no I/O.
        .target(name: "SwitchboardCore", dependencies: ["COpenSSL", "CYAJL"]),
        // Durable state (SQLite).
        .target(name: "SwitchboardStore", dependencies: ["CSQLite", "SwitchboardCore"]),
        // Inbound server (libmicrohttpd) and outbound client (libcurl).
        .target(name: "SwitchboardHTTP", dependencies: ["CMicroHTTPD", "CCurl", "CShims", "SwitchboardCore"]),
        // The service: config, ingest, delivery, bridge, management APIs.
        .target(name: "SwitchboardGateway",
                dependencies: ["SwitchboardCore", "SwitchboardStore", "SwitchboardHTTP"]),
        .executableTarget(name: "switchboard", dependencies: ["SwitchboardGateway"]),
        // Fuzz targets over the parsers of untrusted bytes, and their driver: libFuzzer under `make fuzz`,
        // a corpus replay tool otherwise.
        .target(name: "SwitchboardFuzzTargets", dependencies: ["SwitchboardCore", "SwitchboardGateway"]),
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "switchboard-fuzz", dependencies: ["SwitchboardFuzzTargets", "CFuzzerDriver"]),

        // Test helpers shared by the test targets: a raw HTTP/1.1 client, thread helpers, temp dirs.
        .target(name: "SwitchboardTestSupport", path: "Tests/SwitchboardTestSupport"),
        .testTarget(name: "SwitchboardCoreTests",
                    dependencies: ["SwitchboardCore", "SwitchboardFuzzTargets", "SwitchboardTestSupport"]),
        .testTarget(name: "SwitchboardStoreTests", dependencies: ["SwitchboardStore", "SwitchboardTestSupport"]),
        .testTarget(name: "SwitchboardHTTPTests", dependencies: ["SwitchboardHTTP", "SwitchboardTestSupport"]),
        .testTarget(name: "SwitchboardGatewayTests",
                    dependencies: ["SwitchboardGateway", "SwitchboardHTTP", "SwitchboardTestSupport"]),
    ]
)
