import CallsCore
import Foundation

/// A position in a `GET /cdrs` listing (newest first): the last record shown, by `start_time` to the
/// microsecond and id. Clients see an opaque token; records added meanwhile never shift a page.
public struct CdrCursor: Sendable, Equatable {
    public var startTimeMicros: Int64
    public var id: Int64

    public init(startTimeMicros: Int64, id: Int64) {
        self.startTimeMicros = startTimeMicros
        self.id = id
    }

    /// The position of `record`, for stores that keep `Date`s.
    public init(after record: CallDetailRecord) {
        self.init(startTimeMicros: Self.micros(record.startTime), id: record.id)
    }

    public static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// `cdr1.<micros>.<id>`, base64url without padding.
    public var token: String {
        Data("cdr1.\(startTimeMicros).\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Nil for anything that is not a token this service made.
    public init?(token: String) {
        guard token.count <= 100 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else { return nil }
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "cdr1", let micros = Int64(parts[1]), CallCursor.validMicros.contains(micros),
            let id = Int64(parts[2]), id > 0
        else { return nil }
        self.init(startTimeMicros: micros, id: id)
    }
}
