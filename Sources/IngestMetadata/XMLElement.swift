/// An element as the XML reader gives it: attributes, child elements and its character data (text and CDATA
/// sections concatenated, entities already replaced). Comments and processing instructions are dropped.
struct XMLElement: Equatable {
    var name: String
    var attributes: [String: String] = [:]
    var children: [XMLElement] = []
    var text = ""

    init(name: String) {
        self.name = name
    }

    func firstChild(named name: String) -> XMLElement? {
        children.first { $0.name == name }
    }
}
