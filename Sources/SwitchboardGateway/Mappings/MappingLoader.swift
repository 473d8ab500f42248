import Foundation
import SwitchboardCore

/// Reads and compiles every mapping file (`*.json`) of a directory. A broken file is reported with the
/// file, the rule and the reason, when loading (start-up), never at the first event.
public enum MappingLoader {
    /// The mappings used when neither the configuration nor `--mappings` names them, found whatever the
    /// working directory: next to an installed binary (`<prefix>/share/switchboard/mappings` for
    /// `<prefix>/bin/switchboard`), else the `mappings/` folder of the source tree this was built from,
    /// else `mappings` in the working directory.
    public static let defaultDirectory: String = locate(executable: executablePath(), sourceFile: #filePath)

    /// Where an installed binary's mappings live, relative to the binary's own path.
    public static let installedRelativePath = "../share/switchboard/mappings"

    /// The first existing of: the installed mappings beside `executable`, the source tree's `mappings/`
    /// (four folders above this file: `Sources/SwitchboardGateway/Mappings/MappingLoader.swift`).
    static func locate(executable: String?, sourceFile: String) -> String {
        var candidates: [String] = []
        if let executable {
            let folder = (executable as NSString).deletingLastPathComponent
            candidates.append(((folder as NSString).appendingPathComponent(installedRelativePath) as NSString).standardizingPath)
        }
        var root = sourceFile as NSString
        for _ in 0..<4 { root = root.deletingLastPathComponent as NSString }
        candidates.append(root.appendingPathComponent("mappings"))
        return candidates.first(where: isDirectory) ?? "mappings"
    }

    /// The running executable's path (`/proc/self/exe`), nil where that is unavailable.
    static func executablePath() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    public static func load(directory: String) throws -> [FormatMapping] {
        guard let paths = jsonFiles(in: directory) else {
            throw ConfigError(at: "", "cannot read the mappings directory", file: directory)
        }
        guard !paths.isEmpty else { throw ConfigError(at: "", "no mapping files (*.json)", file: directory) }
        return try paths.map { path in try load(file: path) }
    }

    /// The paths of the `*.json` files of `directory`, in name order; nil when it cannot be read.
    public static func jsonFiles(in directory: String) -> [String]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return names.filter { $0.hasSuffix(".json") }.sorted().map { (directory as NSString).appendingPathComponent($0) }
    }

    public static func load(file path: String) throws -> FormatMapping {
        guard let data = FileBytes.read(atPath: path) else { throw ConfigError(at: "", "cannot read the file", file: path) }
        let document: JSONValue
        do {
            document = try JSONReader.parse(data)
        } catch {
            throw ConfigError(at: "", error.description, file: path)
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        do {
            return try FormatMapping.compile(document, name: name)
        } catch {
            throw ConfigError(at: "", error.description, file: path)
        }
    }
}
