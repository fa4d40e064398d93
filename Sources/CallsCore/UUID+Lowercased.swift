import Foundation

extension UUID {
    /// Ids appear in lower case everywhere the service writes them (JSON, logs, Redis, storage keys), as most
    /// clients and databases print them.
    public var lowercasedString: String { uuidString.lowercased() }
}
