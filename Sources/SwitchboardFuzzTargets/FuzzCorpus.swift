import Foundation
import SwitchboardGateway

/// Reads saved fuzz inputs: files, or every regular file of a directory (not recursive), in name order.
public enum FuzzCorpus {
    public static func inputs(at paths: [String]) throws -> [(path: String, bytes: [UInt8])] {
        var inputs: [(path: String, bytes: [UInt8])] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw FuzzSetupError("\(path): no such file") }
            let files = isDirectory.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                    .filter { !$0.hasPrefix(".") }.map { (path as NSString).appendingPathComponent($0) }
                : [path]
            for file in files {
                guard let data = FileBytes.read(atPath: file) else { throw FuzzSetupError("\(file): cannot read") }
                inputs.append((file, data))
            }
        }
        return inputs
    }
}
