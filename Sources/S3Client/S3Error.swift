import Foundation

/// A request S3 refused or could not answer; `code` is S3's error code (`NoSuchKey`, `AccessDenied`, ...)
/// when the response carried one.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String?
    public var message: String

    public init(status: Int, code: String?, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// From an S3 error response body: `<Error><Code>…</Code><Message>…</Message></Error>`.
    init(status: Int, body: String, operation: String) {
        self.status = status
        code = XMLText.first("Code", in: body)
        message = "\(operation): HTTP \(status)" + (XMLText.first("Message", in: body).map { ": \($0)" } ?? "")
    }

    public var description: String { code.map { "\(message) (\($0))" } ?? message }
}

/// Reads the text of an element from S3's small, flat XML answers (no namespaces or CDATA in them).
enum XMLText {
    static func first(_ element: String, in xml: String) -> String? {
        guard let start = xml.range(of: "<\(element)>"),
            let end = xml.range(of: "</\(element)>", range: start.upperBound..<xml.endIndex)
        else { return nil }
        return unescape(String(xml[start.upperBound..<end.lowerBound]))
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
