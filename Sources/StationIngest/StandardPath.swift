import Foundation

/// One spelling per directory, so that a directory named twice (`/spool/in/`, `/spool/./in`, `in` from
/// `/spool`) is one directory to the idempotency key, the runner and the flag checks.
public enum StandardPath {
    /// Absolute (relative paths start at the working directory), without `.`, `..`, empty components or a
    /// trailing slash. Lexical only: symlinks are left as they are, like `URL.standardized`.
    public static func absolute(_ path: String, from workingDirectory: String = FileManager.default.currentDirectoryPath) -> String {
        let full = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        var components: [Substring] = []
        for component in full.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }
}
