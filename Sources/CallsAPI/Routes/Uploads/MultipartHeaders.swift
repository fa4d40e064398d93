import Foundation

/// The few pieces of MIME header syntax the upload needs.
enum MultipartHeaders {
    /// The boundary of a `multipart/form-data; boundary=...` content type, nil for anything else.
    static func boundary(contentType: String) -> String? {
        let parts = splitParameters(contentType)
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        // No control characters (RFC 2046 allows none): the delimiter searches rely on a boundary without CR.
        guard let boundary = parameter("boundary", in: parts), !boundary.isEmpty, boundary.utf8.count <= 200,
            !boundary.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
        else {
            return nil
        }
        return boundary
    }

    /// `name` and `filename` of a part's `Content-Disposition: form-data; name="file"; filename="a.wav"`.
    static func disposition(_ value: String) -> (name: String?, filename: String?) {
        let parts = splitParameters(value)
        return (parameter("name", in: parts), parameter("filename", in: parts))
    }

    private static func parameter(_ name: String, in parts: [String]) -> String? {
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            guard key == name else { continue }
            var value = part[part.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    /// Splits on `;` outside double quotes, so a file name like `"a;b.wav"` stays whole.
    private static func splitParameters(_ value: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";" && !quoted {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        return parts
    }

    /// A client's file name made safe to display: no directories, no control characters, bounded length.
    static func displayName(_ filename: String?, fallbackExtension: String) -> String {
        let lastComponent = (filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let printable = lastComponent.unicodeScalars.filter { !$0.properties.generalCategory.isControl }
        let name = String(String.UnicodeScalarView(printable)).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name != ".", name != ".." else { return "recording.\(fallbackExtension)" }
        return String(name.prefix(255))
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControl: Bool {
        self == .control || self == .format || self == .lineSeparator || self == .paragraphSeparator
    }
}
