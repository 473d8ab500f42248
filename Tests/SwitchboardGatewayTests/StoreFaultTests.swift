import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// A small tmpfs mounted on a temporary directory: a real disk that really fills up. Mounting needs
/// CAP_SYS_ADMIN (root in a container); where it is refused the tests that need it are skipped.
struct SmallDisk {
    let directory: TemporaryDirectory

    /// Whether this process may mount a tmpfs, found by trying once.
    static let canMount: Bool = {
        guard let disk = try? SmallDisk(megabytes: 1) else { return false }
        disk.unmount()
        return true
    }()

    init(megabytes: Int) throws {
        directory = try TemporaryDirectory(prefix: "switchboard-small-disk")
        guard mount("tmpfs", directory.path, "tmpfs", 0, "size=\(megabytes)m,mode=0700") == 0 else {
            let reason = String(cString: strerror(errno))
            directory.remove()
            throw SmallDiskError(reason: reason)
        }
    }

    /// Writes a file until the disk is full (ENOSPC); returns its path.
    func fill() throws -> String {
        let path = directory.file("filler")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw SmallDiskError(reason: "cannot create \(path)") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x5a, count: 4096)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        guard errno == ENOSPC else { throw SmallDiskError(reason: String(cString: strerror(errno))) }
        return path
    }

    /// Remounts the file system read-only or read-write. Read-only fails (EBUSY) while any file on it
    /// is open for writing, so it is for a store nobody has open.
    func remount(readOnly: Bool) throws {
        let flags = UInt(MS_REMOUNT) | (readOnly ? UInt(MS_RDONLY) : 0)
        guard mount("tmpfs", directory.path, "tmpfs", flags, nil) == 0 else {
            throw SmallDiskError(reason: "remount: \(String(cString: strerror(errno)))")
        }
    }

    func unmount() {
        _ = umount2(directory.path, Int32(MNT_DETACH))
        directory.remove()
    }
}

struct SmallDiskError: Error { let reason: String }

/// A Salpre `call_initiated` for call `callID`: each call id is a new event.
private func storeFaultEvent(_ callID: Int) -> String {
    #"{"event_type":"call_initiated","timestamp_utc":1760084505,"payload":{"call_id":\#(callID),"from":"+905555555555","to":"+905555555554","direction":"outbound","source":"salprebox:SALPRE_AABBCCDD"},"is_test":false}"#
}

@Suite("Store faults: a full disk answers 503, acknowledges nothing uncommitted, and recovers by itself")
struct StoreFaultTests {
    @Test(.enabled(if: SmallDisk.canMount, "mounting a tmpfs needs CAP_SYS_ADMIN"))
    func aFullDiskIs503WithRetryAfterAndEveryAcknowledgedEventIsKept() async throws {
        let disk = try SmallDisk(megabytes: 4)
        defer { disk.unmount() }
        let fixture = try IngestFixture(directory: disk.directory)
        defer { fixture.gateway.shutdown(); fixture.writer.close() }
        #expect(try await fixture.post(storeFaultEvent(1)).status == 202)

        let filler = try disk.fill()
        // Free pages left in the WAL may take a few commits; the disk must refuse within 500.
        var acknowledged = 1
        var refused: RawHTTPConnection.Response?
        for callID in 2...500 {
            let response = try await fixture.post(storeFaultEvent(callID))
            if response.status == 202 { acknowledged += 1; continue }
            refused = response
            break
        }
        let refusal = try #require(refused, "the full disk never refused a write")
        #expect(refusal.status == 503)
        #expect(refusal.header("Retry-After") != nil)
        #expect(((refusal.json?["error"] as? [String: Any])?["type"] as? String) == "store_unavailable")
        // Nothing acknowledged is missing, and nothing refused was kept.
        #expect(try fixture.count("events") == acknowledged)

        // The fault clears: the same event is accepted, without a restart.
        try FileManager.default.removeItem(atPath: filler)
        let retried = try await fixture.post(storeFaultEvent(acknowledged + 1))
        #expect(retried.status == 202)
        #expect(try fixture.count("events") == acknowledged + 1)
    }
}

@Suite("Store faults: a store on a read-only mount at start answers 503 and is used once it is writable")
struct ReadOnlyAtStartTests {
    @Test(.enabled(if: SmallDisk.canMount, "mounting a tmpfs needs CAP_SYS_ADMIN"))
    func aGatewayStartedOnAReadOnlyStoreIs503UntilTheMountIsWritable() async throws {
        let disk = try SmallDisk(megabytes: 8)
        defer { disk.unmount() }
        // A store with one event, left by a gateway that was then stopped.
        let first = try IngestFixture(directory: disk.directory)
        #expect(try await first.post(storeFaultEvent(1)).status == 202)
        first.gateway.shutdown()
        first.writer.close()

        try disk.remount(readOnly: true)
        let fixture = try IngestFixture(directory: disk.directory)
        defer { fixture.gateway.shutdown(); fixture.writer.close() }
        let refused = try await fixture.post(storeFaultEvent(2))
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") != nil)
        #expect(try fixture.count("events") == 1, "the store reads while it cannot be written")

        try disk.remount(readOnly: false)
        #expect(try await fixture.post(storeFaultEvent(2)).status == 202)
        #expect(try fixture.count("events") == 2)
    }
}

@Suite("Store faults: a file system turned read-only under the gateway answers 503 and is reopened once repaired")
struct ReadOnlyFileSystemTests {
    private static func health(_ fixture: IngestFixture) async throws -> Int {
        let port = fixture.gateway.port
        return try await blocking { try RawHTTPConnection(port: port).request("GET", "/healthz").status }
    }

    @Test(.enabled(if: LoopFilesystem.isAvailable, "needs root, loop devices and e2fsprogs"))
    func aReadOnlyRemountIs503AndTheStoreRecoversWithoutARestart() async throws {
        var disk = try LoopFilesystem(megabytes: 32)
        defer { disk.remove() }
        let fixture = try IngestFixture(directory: disk.mountPoint)
        defer { fixture.gateway.shutdown(); fixture.writer.close() }
        #expect(try await fixture.post(storeFaultEvent(1)).status == 202)
        #expect(try await fixture.post(storeFaultEvent(2)).status == 202)

        // The kernel turns the file system read-only while the gateway has its store open for writing.
        try disk.failToReadOnly()
        for callID in 3...5 {
            let refused = try await fixture.post(storeFaultEvent(callID))
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") != nil)
            #expect(((refused.json?["error"] as? [String: Any])?["type"] as? String) == "store_unavailable")
        }
        #expect(try await Self.health(fixture) == 503)

        // Repaired and mounted again at the same path: the gateway reopens its store by itself.
        try disk.repairAtSamePlace()
        let first = try await fixture.post(storeFaultEvent(6))
        #expect(first.status == 202, "\(first.json ?? [:])")
        #expect(try fixture.count("events") == 3, "events 1, 2 and 6: every 202, and nothing answered 503")
        // Event 3 was refused, so it is new now, not a duplicate.
        let resent = try await fixture.post(storeFaultEvent(3))
        #expect(resent.status == 202)
        #expect(resent.json?["duplicate"] == nil)
        #expect(try await Self.health(fixture) == 200)
        #expect((fixture.gateway.database?.writer.statistics.reconnects ?? 0) >= 1)
    }
}
