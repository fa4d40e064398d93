/// What an API key may do. Each role includes the ones before it: `read` reads calls and recordings,
/// `write` also creates, changes and deletes them, `admin` also reaches `/admin`.
public enum APIRole: String, Sendable, CaseIterable, Codable, Comparable {
    case read
    case write
    case admin

    public static func < (lhs: APIRole, rhs: APIRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    public func includes(_ required: APIRole) -> Bool { self >= required }
}
