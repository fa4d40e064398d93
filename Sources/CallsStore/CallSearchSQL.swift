import CallsCore
import Foundation
import PostgresNIO

/// The WHERE clause of a `CallQuery`, with its values as bind parameters (never in the SQL text).
struct CallSearchSQL {
    private(set) var conditions: [String] = []
    private(set) var bindings = PostgresBindings()

    init(_ query: CallQuery) {
        if let digits = query.digits {
            // Substring match, served by the trigram indexes (pg_trgm) on both digit columns.
            let pattern = bind("%\(digits)%")
            conditions.append("(c.caller_digits LIKE \(pattern) OR c.receiver_digits LIKE \(pattern))")
        }
        if let phone = query.phone {
            let value = bind(phone)
            conditions.append("(c.caller_digits = \(value) OR c.receiver_digits = \(value))")
        }
        if let from = query.startedFrom { conditions.append("c.started_at >= \(bind(from))") }
        if let before = query.startedBefore { conditions.append("c.started_at < \(bind(before))") }
        if !query.statuses.isEmpty { conditions.append("c.status = ANY(\(bind(query.statuses.map(\.rawValue))))") }
        if let tag = query.tag { conditions.append("c.tags @> \(bind([tag]))::text[]") }
        if let source = query.source { conditions.append("c.source = \(bind(source))") }
        if let externalID = query.externalID { conditions.append("c.external_id = \(bind(externalID))") }
        if let mediaRecordID = query.mediaRecordID { conditions.append("c.media_record_id = \(bind(mediaRecordID))") }
    }

    /// Adds the keyset condition: rows after `cursor` in its order.
    mutating func continuing(after cursor: CallCursor) {
        let micros = bind(cursor.startedAtMicros)
        let id = bind(cursor.id)
        let comparison = cursor.order == .newestFirst ? "<" : ">"
        conditions.append(
            "(c.started_at, c.id) \(comparison) (timestamptz 'epoch' + \(micros) * interval '1 microsecond', \(id))")
    }

    var whereClause: String {
        conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }

    private mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }
}
