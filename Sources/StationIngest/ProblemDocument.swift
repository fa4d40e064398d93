import Foundation

/// RFC 9457 problem documents: reading the service's, and writing the client's own in the same shape when
/// the refusal is local (metadata that cannot be parsed, a recording that vanished).
public enum ProblemDocument {
    private struct Fields: Codable {
        var type: String?
        var title: String?
        var status: Int?
        var detail: String?
        var code: String?
    }

    /// `detail (code)`, else the title, else the start of the body.
    public static func summary(of body: [UInt8], status: Int) -> String {
        if let problem = try? JSONDecoder().decode(Fields.self, from: Data(body)), let text = problem.detail ?? problem.title {
            return problem.code.map { "\(text) (\($0))" } ?? text
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return text.isEmpty ? "HTTP \(status)" : text
    }

    /// The `code` of a problem document, nil when it is none.
    public static func code(of body: [UInt8]) -> String? {
        (try? JSONDecoder().decode(Fields.self, from: Data(body)))?.code
    }

    /// The service's problem as it came over gRPC (its `code`, the HTTP status of its REST twin, its detail).
    public static func service(code: String, status: Int, detail: String) -> [UInt8] {
        encode(Fields(type: "urn:calls:problem:\(code)", title: nil, status: status, detail: detail, code: code))
    }

    /// A problem made by this client: `code` is what a script switches on, `detail` what a person reads.
    public static func local(code: String, title: String, detail: String) -> [UInt8] {
        encode(Fields(type: "about:blank", title: title, status: nil, detail: detail, code: code))
    }

    /// Pretty, for the person opening `<name>.error.json`; encoding plain strings and an integer cannot fail.
    private static func encode(_ fields: Fields) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array((try? encoder.encode(fields)) ?? Data())
    }
}
