import Foundation

/// The operations of `openapi.yaml` as the docs page lists them. Read line by line from the contract's own
/// layout (two spaces per level, `description: |` blocks) rather than by a YAML library: the page only needs
/// the paths, their methods and texts, and a contract laid out otherwise still gets a page that links to it.
struct ContractOperation: Equatable, Sendable {
    var method: String
    var path: String
    var operationID = ""
    var summary = ""
    var description = ""

    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    static func parse(_ yaml: String) -> [ContractOperation] {
        var operations: [ContractOperation] = []
        var path: String?
        var inPaths = false
        var block: [Substring]?
        func finishBlock() {
            guard let lines = block, !operations.isEmpty else { return }
            operations[operations.count - 1].description = lines.joined(separator: "\n")
                .trimmingCharacters(in: .newlines)
            block = nil
        }
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let indent = line.prefix { $0 == " " }.count
            if block != nil {
                if line.allSatisfy({ $0 == " " }) || indent >= 8 {
                    block?.append(line.dropFirst(min(indent, 8)))
                    continue
                }
                finishBlock()
            }
            if indent == 0, !line.isEmpty, !line.hasPrefix("#") {
                inPaths = line.hasPrefix("paths:")
                continue
            }
            guard inPaths else { continue }
            let text = line.dropFirst(indent)
            switch indent {
            case 2 where text.hasPrefix("/") && text.hasSuffix(":"):
                path = String(text.dropLast())
            case 4 where text.hasSuffix(":") && methods.contains(String(text.dropLast())):
                if let path { operations.append(ContractOperation(method: String(text.dropLast()).uppercased(), path: path)) }
            case 6 where !operations.isEmpty:
                guard let colon = text.firstIndex(of: ":") else { continue }
                let key = text[..<colon]
                let value = unquoted(text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                switch key {
                case "operationId": operations[operations.count - 1].operationID = value
                case "summary": operations[operations.count - 1].summary = value
                case "description" where value.hasPrefix("|") || value.hasPrefix(">"): block = []
                case "description": operations[operations.count - 1].description = value
                default: break
                }
            default:
                continue
            }
        }
        finishBlock()
        return operations
    }

    private static func unquoted(_ text: String) -> String {
        if text.count >= 2, let first = text.first, first == text.last, first == "\"" || first == "'" {
            return String(text.dropFirst().dropLast())
        }
        return String(text)
    }
}
