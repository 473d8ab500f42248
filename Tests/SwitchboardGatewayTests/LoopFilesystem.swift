import Foundation
import SwitchboardTestSupport

/// An ext4 file system in an image file, mounted through a loop device with `errors=remount-ro`: a real
/// file system that the kernel can be made to turn read-only underneath a running process, as it does
/// when a disk reports an error.
///
/// Needs root with CAP_SYS_ADMIN, loop devices, and e2fsprogs (`mkfs.ext4`, `e2fsck`); where any is
/// missing, ``isAvailable`` is false and the tests that need it are skipped.
struct LoopFilesystem {
    /// Holds the image files.
    let images: TemporaryDirectory
    /// Where the file system is mounted; the store lives here.
    let mountPoint: TemporaryDirectory
    /// The image mounted now.
    private(set) var image: String

    /// Whether this machine can make and mount one, found by trying once.
    static let isAvailable: Bool = {
        guard var probe = try? LoopFilesystem(megabytes: 16) else { return false }
        probe.remove()
        return true
    }()

    init(megabytes: Int) throws {
        images = try TemporaryDirectory(prefix: "switchboard-ext4-images")
        mountPoint = try TemporaryDirectory(prefix: "switchboard-ext4")
        image = images.file("store-1.img")
        do {
            guard FileManager.default.createFile(atPath: image, contents: nil), truncate(image, off_t(megabytes) << 20) == 0 else {
                throw LoopFilesystemError(reason: "cannot size \(image): \(String(cString: strerror(errno)))")
            }
            try Self.run("mkfs.ext4", "-q", "-F", image)
            try Self.run("mount", "-o", "loop,errors=remount-ro", image, mountPoint.path)
        } catch {
            mountPoint.remove()
            images.remove()
            throw error
        }
    }

    /// The loop device's name (`loop0`), read from `/proc/mounts`.
    func deviceName() throws -> String {
        let mounts = try String(contentsOfFile: "/proc/mounts", encoding: .utf8)
        let wanted = URL(fileURLWithPath: mountPoint.path).standardizedFileURL.path
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 1, fields[1] == wanted, fields[0].hasPrefix("/dev/") {
                return String(fields[0].dropFirst("/dev/".count))
            }
        }
        throw LoopFilesystemError(reason: "\(mountPoint.path) is not in /proc/mounts")
    }

    /// Reports an error to ext4 (its `trigger_fs_error` switch), so the kernel remounts the file system
    /// read-only at once, whatever files are open for writing on it.
    func failToReadOnly() throws {
        let trigger = "/sys/fs/ext4/\(try deviceName())/trigger_fs_error"
        guard let handle = FileHandle(forWritingAtPath: trigger) else {
            throw LoopFilesystemError(reason: "cannot open \(trigger)")
        }
        defer { try? handle.close() }
        try handle.write(contentsOf: Data("switchboard store fault test\n".utf8))
    }

    /// What an operator does after such an error: detach the broken mount (processes keep their open
    /// files on it), check a copy of the image with `e2fsck`, and mount the copy at the same place.
    mutating func repairAtSamePlace() throws {
        try Self.run("umount", "-l", mountPoint.path)
        let copy = images.file("store-2.img")
        try FileManager.default.copyItem(atPath: image, toPath: copy)
        // e2fsck exits 1 when it corrected something, which is expected after an error.
        try Self.run("e2fsck", "-f", "-y", copy, acceptingExitCodes: [0, 1])
        try Self.run("mount", "-o", "loop,errors=remount-ro", copy, mountPoint.path)
        image = copy
    }

    /// Unmounts (lazily, in case files are still open) and removes the images and mount point.
    mutating func remove() {
        _ = umount2(mountPoint.path, Int32(MNT_DETACH))
        mountPoint.remove()
        images.remove()
    }

    private static func run(_ arguments: String..., acceptingExitCodes accepted: Set<Int32> = [0]) throws {
        let process = try ChildProcess(executable: "/usr/bin/env", arguments: arguments,
                                       environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        process.waitUntilExit()
        let message = process.errorOutput
        guard accepted.contains(process.terminationStatus) else {
            throw LoopFilesystemError(reason: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
                                      + message)
        }
    }
}

struct LoopFilesystemError: Error { let reason: String }
