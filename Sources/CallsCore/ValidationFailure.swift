/// Everything wrong with one request, field by field.
public struct ValidationFailure: Error, Sendable, Equatable {
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String
    }

    public private(set) var errors: [FieldError] = []

    public init() {}

    public init(field: String, message: String) {
        add(field, message)
    }

    public var isEmpty: Bool { errors.isEmpty }

    public mutating func add(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    public var summary: String {
        errors.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
    }
}
