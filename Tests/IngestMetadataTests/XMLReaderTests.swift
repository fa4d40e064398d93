import Testing

@testable import IngestMetadata

@Suite struct XMLReaderTests {
    private func read(_ text: String, limits: XMLReader.Limits = XMLReader.Limits()) throws(MetadataRefusal) -> XMLElement {
        try XMLReader.read(Array(text.utf8), limits: limits)
    }

    private func reason(_ text: String, limits: XMLReader.Limits = XMLReader.Limits()) -> String {
        do {
            _ = try read(text, limits: limits)
            return "read"
        } catch {
            return error.reason
        }
    }

    @Test func readsElementsAttributesTextAndReferences() throws {
        let root = try read("<a x=\"&lt;&amp;&#65;&#x42;\" y='\"q\"'>&quot;&apos;&gt;&#x1F600;<b/><c>t</c>tail</a>")
        #expect(root.name == "a")
        #expect(root.attributes == ["x": "<&AB", "y": "\"q\""])
        #expect(root.text == "\"'>\u{1F600}tail")
        #expect(root.children.map(\.name) == ["b", "c"])
        #expect(root.firstChild(named: "c")?.text == "t")
    }

    @Test func keepsCDATAVerbatimAndDropsCommentsAndProcessingInstructions() throws {
        let text =
            "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- before --><?pi data?>\n"
            + "<r><!-- <x/> -->a<![CDATA[<b>&amp;]]>c<?php echo 1; ?></r>\n<!-- after -->\n"
        let root = try read(text)
        #expect(root.text == "a<b>&amp;c")
        #expect(root.children.isEmpty)
    }

    /// The defence against entity expansion and external entities: no document type declaration at all.
    @Test func refusesABillionLaughsDocument() {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE cdr [\n <!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            text += " <!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1 == 0 ? "" : String(level - 1));", count: 10) + "\">\n"
        }
        text += "]>\n<cdr><variables><caller_id_number>&lol9;</caller_id_number></variables></cdr>"
        #expect(reason(text).hasSuffix("a DOCTYPE declaration is refused (no entities beyond the predefined five, no external references)"))
        #expect(reason(text).hasPrefix("invalid XML at byte 22:"))
    }

    @Test func refusesExternalEntities() {
        let doctype = "<!DOCTYPE cdr [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><cdr>&xxe;</cdr>"
        #expect(reason(doctype).contains("a DOCTYPE declaration is refused"))
        #expect(reason("<cdr><!ENTITY xxe SYSTEM \"file:///etc/passwd\"></cdr>").contains("an ENTITY declaration is refused"))
        #expect(reason("<!ENTITY xxe SYSTEM \"x\"><cdr/>").contains("an ENTITY declaration is refused"))
        #expect(
            reason("<cdr>&xxe;</cdr>") == "invalid XML at byte 5: the entity &xxe; is not defined (only the five predefined entities are)")
    }

    static let malformed: [(String, String)] = [
        ("", "invalid XML at byte 0: the document has no root element"),
        ("   <!-- only a comment -->", "the document has no root element"),
        ("text<a/>", "invalid XML at byte 0: text before the root element"),
        ("<a/><b/>", "invalid XML at byte 4: content after the root element"),
        ("<a></b>", "invalid XML at byte 3: the end tag </b> does not match <a>"),
        ("<a>", "invalid XML at byte 3: the document ends inside <a>"),
        ("<a", "the document ends inside the start tag <a"),
        ("</a>", "an end tag without a start tag"),
        ("<a></a >x", "content after the root element"),
        ("<a></ a>", "an end tag needs a name"),
        ("<a></a", "expected '>' to end the end tag </a"),
        ("< a/>", "a start tag needs a name"),
        ("<1a/>", "a start tag needs a name"),
        ("<a x=1/>", "the value of the attribute x must be quoted"),
        ("<a x/>", "expected '=' after the attribute x"),
        ("<a x='1'y='2'/>", "attributes of <a> must be separated by whitespace"),
        ("<a x='1' x='2'/>", "invalid XML at byte 9: the attribute x appears twice in <a>"),
        ("<a x='<'/>", "'<' is not allowed in an attribute value"),
        ("<a x='1/>", "the value of the attribute x is not closed"),
        ("<a/ >", "expected '>' after '/' in <a"),
        ("<a>&</a>", "invalid XML at byte 3: '&' must start an entity or character reference ending in ';'"),
        ("<a>&nbsp;</a>", "the entity &nbsp; is not defined"),
        ("<a>&#0;</a>", "&#0; is not a valid character reference"),
        ("<a>&#xD800;</a>", "&#xD800; is not a valid character reference"),
        ("<a>&#x110000;</a>", "&#x110000; is not a valid character reference"),
        ("<a>&#9999999999;</a>", "&#9999999999; is not a valid character reference"),
        ("<a>&#xFFFFFFFFF;</a>", "&#xFFFFFFFFF; is not a valid character reference"),
        ("<a>&#99999999999;</a>", "'&' must start an entity or character reference ending in ';'"),
        ("<a>&#;</a>", "&#; is not a valid character reference"),
        ("<a>&#12a;</a>", "&#12a; is not a valid character reference"),
        ("<a><!-- open</a>", "invalid XML at byte 3: a comment is not closed"),
        ("<a><![CDATA[open</a>", "invalid XML at byte 3: a CDATA section is not closed"),
        ("<a><? x ?></a>", "a processing instruction needs a target name"),
        ("<?xml version='1.0'", "invalid XML at byte 0: a processing instruction is not closed"),
        ("<a><!ELEMENT a ANY></a>", "markup declarations ('<!') are refused"),
        ("<a>\u{01}</a>", "invalid XML at byte 3: control character 0x1"),
        ("<a>\0</a>", "control character 0x0"),
    ]

    @Test(arguments: malformed)
    func refusesMalformedXML(text: String, expected: String) {
        #expect(reason(text).contains(expected), "\(text.debugDescription) → \(reason(text))")
    }

    @Test func refusesInvalidUTF8() {
        do {
            _ = try XMLReader.read([0x3C, 0x61, 0x3E, 0xC3, 0x28, 0x3C, 0x2F, 0x61, 0x3E])
            Issue.record("read")
        } catch {
            #expect(error.reason == "invalid XML: the file is not valid UTF-8")
        }
    }

    @Test func capsTheDepth() {
        let limits = XMLReader.Limits(maximumDepth: 8)
        let eight = String(repeating: "<a>", count: 8) + String(repeating: "</a>", count: 8)
        let nine = String(repeating: "<a>", count: 9) + String(repeating: "</a>", count: 9)
        #expect(reason(eight, limits: limits) == "read")
        #expect(reason(nine, limits: limits) == "invalid XML at byte 24: elements nested deeper than 8")
    }

    @Test func refusesAHundredThousandLevelsOfNestingAtTheDefaultDepth() {
        let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        #expect(reason(deep) == "invalid XML at byte 192: elements nested deeper than 64")
    }

    @Test func capsTheElementCount() {
        let limits = XMLReader.Limits(maximumElements: 10)
        #expect(reason("<r>" + String(repeating: "<a/>", count: 9) + "</r>", limits: limits) == "read")
        #expect(
            reason("<r>" + String(repeating: "<a/>", count: 10) + "</r>", limits: limits) == "invalid XML at byte 39: more than 10 elements"
        )
        // The default cap meets a file of empty elements well inside the size limit.
        #expect(reason("<r>" + String(repeating: "<a/>", count: 150_000) + "</r>").hasSuffix("more than 100000 elements"))
    }

    @Test func capsTheSize() {
        let limits = XMLReader.Limits(maximumBytes: 16)
        #expect(reason("<a>0123456789</a>", limits: limits) == "the XML file is 17 bytes, over the limit of 16")
        #expect(reason("<a>012345678</a>", limits: limits) == "read")
    }
}
