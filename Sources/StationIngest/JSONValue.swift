import Foundation

/// Just enough JSON for log lines, with keys in a stable order.
enum JSONValue: Sendable, Equatable, ExpressibleByStringLiteral {
    case text(String)
    case number(Double)
    case null
    indirect case object([String: JSONValue])

    init(stringLiteral value: String) {
        self = .text(value)
    }

    func encoded() -> String {
        switch self {
        case .text(let text):
            let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(format: "%.3f", number)
        case .null:
            return "null"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { JSONValue.text($0).encoded() + ":" + fields[$0]!.encoded() }.joined(separator: ",")
                + "}"
        }
    }
}
