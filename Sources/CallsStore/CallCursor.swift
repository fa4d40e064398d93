import CallsCore
import Foundation

/// A position in a `GET /calls` listing: the last row shown, by `started_at` (to the microsecond, as
/// PostgreSQL stores it) and id, and the order it was listed in. Clients see it as an opaque token; rows
/// inserted meanwhile never shift a page, unlike an offset.
public struct CallCursor: Sendable, Equatable {
    public var startedAtMicros: Int64
    public var id: UUID
    public var order: CallOrder

    public init(startedAtMicros: Int64, id: UUID, order: CallOrder) {
        self.startedAtMicros = startedAtMicros
        self.id = id
        self.order = order
    }

    /// The first microsecond-exact position of `call` (for stores that keep `Date`s).
    public init(after call: Call, order: CallOrder) {
        self.init(
            startedAtMicros: Int64((call.startedAt.timeIntervalSince1970 * 1_000_000).rounded(.down)), id: call.id,
            order: order)
    }

    /// `v1.<order>.<micros>.<id>`, base64url without padding.
    public var token: String {
        let plain = "v1.\(order == .newestFirst ? "d" : "a").\(startedAtMicros).\(id.lowercasedString)"
        return Data(plain.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The instants a call may start at (years 1 to 9999, what RFC 3339 can write): a position outside them
    /// was not made by this service, and PostgreSQL would refuse the arithmetic on it.
    public static let validMicros: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    /// Nil for anything that is not a token this service made.
    public init?(token: String) {
        guard token.count <= 200 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else { return nil }
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "v1", let micros = Int64(parts[2]), Self.validMicros.contains(micros),
            let id = UUID(uuidString: String(parts[3]))
        else { return nil }
        switch parts[1] {
        case "d": self.init(startedAtMicros: micros, id: id, order: .newestFirst)
        case "a": self.init(startedAtMicros: micros, id: id, order: .oldestFirst)
        default: return nil
        }
    }
}
