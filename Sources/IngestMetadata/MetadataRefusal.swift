/// Why a metadata file cannot become a call. `reason` is for humans (it ends up in `<name>.error.json`) and names
/// the field or the byte offset at fault.
public struct MetadataRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
