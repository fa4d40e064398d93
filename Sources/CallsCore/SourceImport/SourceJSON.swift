import Foundation

/// A JSON value as a source sent it: pages and items are checked field by field, and the free-form parts
/// (`context`, `payload`) are stored as they came. The same type the API shows them with.
public typealias SourceJSON = JSONValue

extension JSONValue {
    /// Compact JSON text with sorted keys (for `jsonb` columns).
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// Whether a string or an object key anywhere in it holds U+0000, which PostgreSQL stores in neither
    /// `text` nor `jsonb`: such an item could never be stored, and would hold its page up for ever.
    public var containsNUL: Bool {
        switch self {
        case .string(let value): value.unicodeScalars.contains("\u{0}")
        case .array(let values): values.contains { $0.containsNUL }
        case .object(let fields): fields.contains { $0.key.unicodeScalars.contains("\u{0}") || $0.value.containsNUL }
        default: false
        }
    }

    /// JSON text PostgreSQL can store whatever came in (U+0000 replaced by U+FFFD), at most `limit` bytes:
    /// longer, it is kept as `{"truncated": true, "prefix": "<its first bytes>"}`. For rejected items, kept
    /// for whoever fixes the source, so they must never fail to store nor grow without bound.
    public func storableText(limit: Int) -> String {
        let text = self.text.replacingOccurrences(of: "\\u0000", with: "\u{FFFD}")
        guard text.utf8.count > limit else { return text }
        let prefix = String(decoding: text.utf8.prefix(limit), as: UTF8.self)
        return JSONValue.object(["truncated": .bool(true), "prefix": .string(prefix)]).text
    }
}
