import Foundation

extension QueueEvent {
    /// The event as one JSON object in the ingest format (`{source, event_id, time, …}`): what the API puts
    /// on the stream and the consumer reads back with `QueueEventJSON`, so both ends share one shape.
    public var payload: String {
        var object: [String: Any] = [
            "source": source, "event_id": id, "time": time.timeIntervalSince1970, "call_id": callID, "queue": queue,
            "agent": agent, "event": name.text, "data": data,
        ]
        if data.isEmpty { object["data"] = [String]() }
        let bytes = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a payload back; nil when it is not a valid event.
    public init?(payload: String) {
        guard case .success(let event) = QueueEventJSON.event(Data(payload.utf8)) else { return nil }
        self = event
    }
}
