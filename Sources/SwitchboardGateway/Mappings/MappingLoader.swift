import Foundation
import SwitchboardCore

/// Reads and compiles every mapping file (`*.json`) of a directory. A broken file is reported with the
/// file, the rule and the reason, when loading (start-up), never at the first event.
public enum MappingLoader {
    /// The default directory, relative to the working directory.
    public static let defaultDirectory = "mappings"

    public static func load(directory: String) throws -> [FormatMapping] {
        guard let paths = jsonFiles(in: directory) else { throw ConfigError("\(directory): cannot read the mappings directory") }
        guard !paths.isEmpty else { throw ConfigError("\(directory): no mapping files (*.json)") }
        return try paths.map { path in try load(file: path) }
    }

    /// The paths of the `*.json` files of `directory`, in name order; nil when it cannot be read.
    public static func jsonFiles(in directory: String) -> [String]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return names.filter { $0.hasSuffix(".json") }.sorted().map { (directory as NSString).appendingPathComponent($0) }
    }

    public static func load(file path: String) throws -> FormatMapping {
        guard let data = FileBytes.read(atPath: path) else { throw ConfigError("\(path): cannot read the file") }
        let document: JSONValue
        do {
            document = try JSONReader.parse(data)
        } catch {
            throw ConfigError("\(path): \(error.description)")
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        do {
            return try FormatMapping.compile(document, name: name)
        } catch {
            throw ConfigError("\(path): \(error.description)")
        }
    }
}
