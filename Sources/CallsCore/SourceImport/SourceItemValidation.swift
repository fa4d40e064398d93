import Foundation

/// Checks one item of a collection field by field; the first problem found is the reject's reason.
public enum SourceItemValidation {
    public struct Failure: Error, Sendable, Equatable {
        public var reason: String
    }

    /// Longest text field taken (phones, names, ids as text, event types).
    public static let maxTextLength = 255
    /// Longest `context` or `payload`, as JSON text.
    public static let maxObjectBytes = 64 * 1024

    public static func validate(_ item: SourceJSON, collection: SourceCollection) -> Result<SourceItem, Failure> {
        guard let object = item.objectValue else { return .failure(Failure(reason: "not a JSON object")) }
        guard !item.containsNUL else { return .failure(Failure(reason: "holds a NUL character (U+0000), which cannot be stored")) }
        let fields = Fields(object: object)
        do {
            switch collection {
            case .calls: return .success(.call(try call(fields)))
            case .connections: return .success(.connection(try connection(fields)))
            case .callEvents: return .success(.event(try event(fields)))
            case .operators: return .success(.operator(try `operator`(fields)))
            }
        } catch {
            return .failure(error)
        }
    }

    static func call(_ fields: Fields) throws(Failure) -> SourceCall {
        let callType = try fields.text("call_type")
        guard callType == "inbound" || callType == "outbound" else {
            throw Failure(reason: "call_type '\(callType.prefix(40))' is neither 'inbound' nor 'outbound'")
        }
        let initiatedAt = try fields.time("initiated_at")
        let finishedAt = try fields.optionalTime("finished_at")
        if let finishedAt, finishedAt < initiatedAt { throw Failure(reason: "finished_at is before initiated_at") }
        return SourceCall(
            callID: try fields.integer("call_id"), callType: callType, scenarioID: try fields.identifier("scenario_id"),
            initiatorPhone: try fields.text("initiator_phone"), mediaRecordID: try fields.optionalIdentifier("media_record_id"),
            initiatedAt: initiatedAt, finishedAt: finishedAt, context: try fields.optionalObject("context"))
    }

    static func connection(_ fields: Fields) throws(Failure) -> SourceConnection {
        let initiatedAt = try fields.time("initiated_at")
        let answeredAt = try fields.optionalTime("answered_at")
        let finishedAt = try fields.optionalTime("finished_at")
        if let answeredAt, answeredAt < initiatedAt { throw Failure(reason: "answered_at is before initiated_at") }
        if let finishedAt, finishedAt < (answeredAt ?? initiatedAt) {
            throw Failure(reason: "finished_at is before \(answeredAt == nil ? "initiated_at" : "answered_at")")
        }
        return SourceConnection(
            connectionID: try fields.integer("connection_id"), callID: try fields.integer("call_id"), phone: try fields.text("phone"),
            initiatedAt: initiatedAt, answeredAt: answeredAt, finishedAt: finishedAt)
    }

    static func event(_ fields: Fields) throws(Failure) -> SourceCallEvent {
        let eventType = try fields.text("event_type")
        let payload = try fields.optionalObject("payload") ?? "{}"
        var operatorID: Int64?
        if eventType == "operator_assigned" {
            guard case .object(let body)? = fields.object["payload"], case .integer(let id)? = body["operator_id"] else {
                throw Failure(reason: "operator_assigned without an integer payload.operator_id")
            }
            operatorID = id
        }
        return SourceCallEvent(
            eventID: try fields.integer("event_id"), callID: try fields.integer("call_id"), eventType: eventType, payload: payload,
            operatorID: operatorID)
    }

    static func `operator`(_ fields: Fields) throws(Failure) -> SourceOperator {
        SourceOperator(
            operatorID: try fields.integer("operator_id"), name: try fields.text("name"),
            extension: try fields.optionalIdentifier("extension"), email: try fields.optionalText("email"))
    }

    struct Fields {
        let object: [String: SourceJSON]

        func integer(_ key: String) throws(Failure) -> Int64 {
            guard case .integer(let value)? = object[key] else { throw Failure(reason: "\(key) is missing or not an integer") }
            return value
        }

        func text(_ key: String) throws(Failure) -> String {
            guard let value = try optionalText(key) else { throw Failure(reason: "\(key) is missing") }
            guard !value.isEmpty else { throw Failure(reason: "\(key) is empty") }
            return value
        }

        func optionalText(_ key: String) throws(Failure) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let value)?:
                guard value.count <= maxTextLength else { throw Failure(reason: "\(key) is longer than \(maxTextLength) characters") }
                return value
            default: throw Failure(reason: "\(key) is not a string")
            }
        }

        /// Ids of other systems: a string or an integer, kept as text.
        func identifier(_ key: String) throws(Failure) -> String {
            guard let value = try optionalIdentifier(key) else { throw Failure(reason: "\(key) is missing") }
            return value
        }

        func optionalIdentifier(_ key: String) throws(Failure) -> String? {
            if case .integer(let value)? = object[key] { return String(value) }
            return try optionalText(key)
        }

        func time(_ key: String) throws(Failure) -> Date {
            guard let value = try optionalTime(key) else { throw Failure(reason: "\(key) is missing") }
            return value
        }

        func optionalTime(_ key: String) throws(Failure) -> Date? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let text)?:
                guard let date = Timestamp.parse(text) else { throw Failure(reason: "\(key) is not an RFC 3339 time") }
                return date
            default: throw Failure(reason: "\(key) is not an RFC 3339 time")
            }
        }

        func optionalObject(_ key: String) throws(Failure) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .object?:
                let text = object[key]!.text
                guard text.utf8.count <= maxObjectBytes else { throw Failure(reason: "\(key) is larger than \(maxObjectBytes) bytes") }
                return text
            default: throw Failure(reason: "\(key) is not an object")
            }
        }
    }
}
