/// One Redis reply, copied out of hiredis' memory so it can outlive the C reply object.
public enum RedisReply: Sendable, Equatable {
    case string(String)
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    case null

    public var string: String? {
        switch self {
        case .string(let value), .status(let value): value
        default: nil
        }
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var array: [RedisReply]? {
        if case .array(let value) = self { return value }
        return nil
    }
}

/// A Redis failure. `connection` errors (refused, reset, timed out) mean the server may be fine and the
/// command should be retried on a fresh connection; `server` errors are Redis' own answer to the command.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case connection, server, protocolViolation }
    public var kind: Kind
    public var message: String
    /// The server could not be reached at all (no connection, or no answer in time), as opposed to a
    /// connection that broke and may simply be opened again.
    public var unreachable: Bool

    public init(_ kind: Kind, _ message: String, unreachable: Bool = false) {
        self.kind = kind
        self.message = message
        self.unreachable = unreachable
    }

    public var description: String { "redis: \(message)" }
}
