/// A small XML 1.0 reader for metadata files, written here instead of using `XMLParser` (libxml2) so that what
/// it accepts is exactly what is listed: elements, attributes, character data, CDATA sections, comments, the
/// XML declaration and processing instructions, the five predefined entities and numeric character references.
///
/// Any `<!DOCTYPE` (and so any `<!ENTITY`) is refused outright. That is the defence against entity expansion
/// ("billion laughs", quadratic blow-up) and external entities (XXE: reading local files or URLs): without a
/// document type declaration no entity but the five predefined ones can exist, so nothing expands and nothing
/// is fetched. Depth, element count and input size are capped as well, and the reader keeps its own stack
/// instead of recursing, so no input can exhaust the call stack or trap: every problem is a `MetadataRefusal`
/// naming the byte offset.
struct XMLReader {
    struct Limits {
        var maximumBytes = StationMetadataParser.maximumBytes
        var maximumDepth = 64
        var maximumElements = 100_000
    }

    private let bytes: [UInt8]
    private let limits: Limits
    private var position = 0
    private var elementCount = 0

    private init(_ bytes: [UInt8], limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// The document's root element.
    static func read(_ bytes: [UInt8], limits: Limits = Limits()) throws(MetadataRefusal) -> XMLElement {
        guard bytes.count <= limits.maximumBytes else {
            throw MetadataRefusal("the XML file is \(bytes.count) bytes, over the limit of \(limits.maximumBytes)")
        }
        try checkCharacters(bytes)
        var reader = XMLReader(bytes, limits: limits)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.position = 3 }
        try reader.skipMisc()
        guard reader.current == UInt8(ascii: "<") else {
            throw reader.refusal(reader.current == nil ? "the document has no root element" : "text before the root element")
        }
        let root = try reader.element()
        try reader.skipMisc()
        guard reader.position == bytes.count else { throw reader.refusal("content after the root element") }
        return root
    }

    /// XML 1.0 §2.2: the text must be UTF-8 (the only encoding read here) and free of control characters other
    /// than tab, line feed and carriage return; checked once up front so the parser can work on bytes.
    private static func checkCharacters(_ bytes: [UInt8]) throws(MetadataRefusal) {
        if let offset = bytes.firstIndex(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
            throw MetadataRefusal("invalid XML at byte \(offset): control character 0x\(String(bytes[offset], radix: 16, uppercase: true))")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw MetadataRefusal("invalid XML: the file is not valid UTF-8")
        }
    }

    private func refusal(_ problem: String, at offset: Int? = nil) -> MetadataRefusal {
        MetadataRefusal("invalid XML at byte \(offset ?? position): \(problem)")
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func hasPrefix(_ prefix: StaticString) -> Bool {
        let expected = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
        return bytes.count - position >= expected.count && bytes[position..<position + expected.count].elementsEqual(expected)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private mutating func skipWhitespace() {
        while let byte = current, Self.isWhitespace(byte) { position += 1 }
    }

    /// Whitespace, comments and processing instructions (the XML declaration among them) outside the root.
    private mutating func skipMisc() throws(MetadataRefusal) {
        while true {
            skipWhitespace()
            if hasPrefix("<!--") {
                try skipComment()
            } else if hasPrefix("<?") {
                try skipProcessingInstruction()
            } else if hasPrefix("<!") {
                throw refusedDeclaration()
            } else {
                return
            }
        }
    }

    private func refusedDeclaration() -> MetadataRefusal {
        if hasPrefix("<!DOCTYPE") {
            return refusal("a DOCTYPE declaration is refused (no entities beyond the predefined five, no external references)")
        }
        if hasPrefix("<!ENTITY") { return refusal("an ENTITY declaration is refused (no entities beyond the predefined five)") }
        return refusal("markup declarations ('<!') are refused")
    }

    /// Moves past `terminator`; a construct left open is reported at `start`, where it began.
    private mutating func skip(past terminator: StaticString, what: String, from start: Int) throws(MetadataRefusal) {
        while position < bytes.count {
            if hasPrefix(terminator) {
                position += terminator.utf8CodeUnitCount
                return
            }
            position += 1
        }
        throw refusal("\(what) is not closed", at: start)
    }

    private mutating func skipComment() throws(MetadataRefusal) {
        let start = position
        position += 4
        try skip(past: "-->", what: "a comment", from: start)
    }

    private mutating func skipProcessingInstruction() throws(MetadataRefusal) {
        let start = position
        position += 2
        guard try name() != nil else { throw refusal("a processing instruction needs a target name") }
        try skip(past: "?>", what: "a processing instruction", from: start)
    }

    /// XML names, kept to what metadata uses: ASCII letters, digits, `_ : . -` and any non-ASCII character
    /// (a name cannot start with a digit, `.` or `-`).
    private mutating func name() throws(MetadataRefusal) -> String? {
        let start = position
        while let byte = current {
            let isStart = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F || byte == 0x3A || byte >= 0x80
            let isOther = (0x30...0x39).contains(byte) || byte == 0x2E || byte == 0x2D
            guard isStart || (isOther && position > start) else { break }
            position += 1
        }
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    /// Reads the element at `<` with everything inside it, keeping open elements on an explicit stack.
    private mutating func element() throws(MetadataRefusal) -> XMLElement {
        var open: [XMLElement] = []
        while true {
            if current == UInt8(ascii: "<") && !hasPrefix("<!") && !hasPrefix("<?") && !hasPrefix("</") {
                let tagStart = position
                let (element, isEmpty) = try startTag()
                if isEmpty {
                    guard !open.isEmpty else { return element }
                    open[open.count - 1].children.append(element)
                } else {
                    guard open.count < limits.maximumDepth else {
                        throw refusal("elements nested deeper than \(limits.maximumDepth)", at: tagStart)
                    }
                    open.append(element)
                }
            } else if hasPrefix("</") {
                let tagStart = position
                position += 2
                guard let closing = try name() else { throw refusal("an end tag needs a name") }
                skipWhitespace()
                guard current == UInt8(ascii: ">") else { throw refusal("expected '>' to end the end tag </\(closing)") }
                position += 1
                guard let finished = open.popLast() else { throw refusal("an end tag without a start tag", at: tagStart) }
                guard finished.name == closing else {
                    throw refusal("the end tag </\(closing)> does not match <\(finished.name)>", at: tagStart)
                }
                guard !open.isEmpty else { return finished }
                open[open.count - 1].children.append(finished)
            } else if hasPrefix("<!--") {
                try skipComment()
            } else if hasPrefix("<![CDATA[") {
                let start = position
                position += 9
                try skip(past: "]]>", what: "a CDATA section", from: start)
                open[open.count - 1].text += String(decoding: bytes[start + 9..<position - 3], as: UTF8.self)
            } else if hasPrefix("<!") {
                throw refusedDeclaration()
            } else if hasPrefix("<?") {
                try skipProcessingInstruction()
            } else if current == nil {
                throw refusal("the document ends inside <\(open.last?.name ?? "?")>")
            } else {
                open[open.count - 1].text += try characterData(until: UInt8(ascii: "<"))
            }
        }
    }

    /// `<name attr="value" …>` or `<name … />`; the position is at `<`.
    private mutating func startTag() throws(MetadataRefusal) -> (XMLElement, isEmpty: Bool) {
        elementCount += 1
        guard elementCount <= limits.maximumElements else { throw refusal("more than \(limits.maximumElements) elements") }
        position += 1
        guard let elementName = try name() else { throw refusal("a start tag needs a name") }
        var element = XMLElement(name: elementName)
        while true {
            let hadWhitespace = current.map(Self.isWhitespace) ?? false
            skipWhitespace()
            switch current {
            case nil:
                throw refusal("the document ends inside the start tag <\(elementName)")
            case UInt8(ascii: ">"):
                position += 1
                return (element, false)
            case UInt8(ascii: "/"):
                position += 1
                guard current == UInt8(ascii: ">") else { throw refusal("expected '>' after '/' in <\(elementName)") }
                position += 1
                return (element, true)
            default:
                guard hadWhitespace else { throw refusal("attributes of <\(elementName)> must be separated by whitespace") }
                let attributeStart = position
                guard let attribute = try name() else { throw refusal("expected an attribute name in <\(elementName)>") }
                skipWhitespace()
                guard current == UInt8(ascii: "=") else { throw refusal("expected '=' after the attribute \(attribute)") }
                position += 1
                skipWhitespace()
                guard let quote = current, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                    throw refusal("the value of the attribute \(attribute) must be quoted")
                }
                position += 1
                let value = try characterData(until: quote)
                guard current == quote else { throw refusal("the value of the attribute \(attribute) is not closed", at: attributeStart) }
                position += 1
                guard element.attributes[attribute] == nil else {
                    throw refusal("the attribute \(attribute) appears twice in <\(elementName)>", at: attributeStart)
                }
                element.attributes[attribute] = value
            }
        }
    }

    /// Text up to `terminator` (not consumed) with references replaced. A `<` inside an attribute value is an
    /// error; in content it is where the text ends.
    private mutating func characterData(until terminator: UInt8) throws(MetadataRefusal) -> String {
        var text = ""
        var runStart = position
        while let byte = current, byte != terminator {
            if byte == UInt8(ascii: "<") { throw refusal("'<' is not allowed in an attribute value") }
            if byte == UInt8(ascii: "&") {
                text += String(decoding: bytes[runStart..<position], as: UTF8.self)
                text.unicodeScalars.append(try reference())
                runStart = position
            } else {
                position += 1
            }
        }
        text += String(decoding: bytes[runStart..<position], as: UTF8.self)
        return text
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` `&#NNN;` `&#xHH;`; the position is at `&`.
    private mutating func reference() throws(MetadataRefusal) -> Unicode.Scalar {
        let start = position
        position += 1
        guard let end = bytes[position...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
            throw refusal("'&' must start an entity or character reference ending in ';'", at: start)
        }
        let body = bytes[position..<end]
        position = end + 1
        switch String(decoding: body, as: UTF8.self) {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        case let other where other.hasPrefix("#"):
            guard let scalar = Self.characterReference(body.dropFirst()) else {
                throw refusal("&\(other); is not a valid character reference", at: start)
            }
            return scalar
        case let other:
            throw refusal("the entity &\(other); is not defined (only the five predefined entities are)", at: start)
        }
    }

    /// The digits after `&#` (decimal, or hexadecimal after `x`), if they name a character XML allows. At most
    /// ten decimal or nine hexadecimal digits reach here (the `;` is looked for within 12 bytes), so the value cannot overflow a `UInt64`.
    private static func characterReference(_ digits: ArraySlice<UInt8>) -> Unicode.Scalar? {
        var body = digits
        let radix: UInt64 = body.first == UInt8(ascii: "x") ? 16 : 10
        if radix == 16 { body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in body {
            guard let digit = JSONReader.hexValue(byte), UInt64(digit) < radix else { return nil }
            value = value * radix + UInt64(digit)
        }
        let allowed =
            value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
        return allowed ? Unicode.Scalar(UInt32(value)) : nil
    }
}
