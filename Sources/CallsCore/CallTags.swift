/// A call's tags as they are stored: trimmed, lower-case, each once, in the order given. The tag `private`
/// stops the API from handing out or serving the call's recording (a presigned bucket URL handed out before
/// still works until it expires).
public enum CallTags {
    public static let maxCount = 32
    public static let maxLength = 64
    public static let privateTag = "private"

    /// The normalized tags; problems are added to `failure` under `field` and the result is then meaningless.
    public static func normalized(_ raw: [String], field: String = "tags", failure: inout ValidationFailure) -> [String] {
        let tags = raw.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if tags.count > maxCount { failure.add(field, "at most \(maxCount) tags") }
        if tags.contains(where: { $0.isEmpty || $0.count > maxLength }) {
            failure.add(field, "each tag must be 1 to \(maxLength) characters")
        }
        // PostgreSQL text cannot hold NUL, and no other control character belongs in a label either.
        if tags.contains(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            failure.add(field, "tags must not contain control characters")
        }
        var unique: [String] = []
        for tag in tags where !unique.contains(tag) { unique.append(tag) }
        return unique
    }

    public static func isPrivate(_ tags: [String]) -> Bool {
        tags.contains(privateTag)
    }
}

/// The body of `PATCH /calls/{id}`: what may change after creation.
public struct CallPatchRequest: Decodable, Sendable {
    public var tags: [String]?

    public init(tags: [String]?) {
        self.tags = tags
    }

    /// The new tags; a patch that changes nothing is refused, so a typo in a field name does not pass silently.
    public func validatedTags() throws(ValidationFailure) -> [String] {
        guard let tags else { throw ValidationFailure(field: "tags", message: "is required: the only field a call lets you change") }
        var failure = ValidationFailure()
        let normalized = CallTags.normalized(tags, failure: &failure)
        guard failure.isEmpty else { throw failure }
        return normalized
    }
}
