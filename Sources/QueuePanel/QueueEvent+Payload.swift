import Foundation

extension QueueEvent {
    /// The event as one JSON object in the ingest format (`{source, event_id, time, …}`): what the API puts
    /// on the stream and the consumer reads back with `QueueEventJSON`, so both ends share one shape. Written
    /// by hand: it is made for every event received, and `JSONSerialization` cost the API more than the rest
    /// of an event's handling.
    public var payload: String {
        var json = "{\"agent\":"
        json.reserveCapacity(160 + data.count * 16)
        Self.appendJSONString(agent, to: &json)
        json += ",\"call_id\":"
        Self.appendJSONString(callID, to: &json)
        json += ",\"data\":"
        json += dataJSON
        json += ",\"event\":"
        Self.appendJSONString(name.text, to: &json)
        json += ",\"event_id\":"
        Self.appendJSONString(id, to: &json)
        json += ",\"queue\":"
        Self.appendJSONString(queue, to: &json)
        json += ",\"source\":"
        Self.appendJSONString(source, to: &json)
        // The shortest decimal that reads back as the same Double (validated times are finite).
        json += ",\"time\":\(time.timeIntervalSince1970)}"
        return json
    }

    /// `data` as a JSON array of strings.
    public var dataJSON: String {
        var json = "["
        for (index, item) in data.enumerated() {
            if index > 0 { json += "," }
            Self.appendJSONString(item, to: &json)
        }
        return json + "]"
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    public static func appendJSONString(_ text: String, to json: inout String) {
        json += "\""
        var plain = true
        for scalar in text.unicodeScalars where scalar == "\"" || scalar == "\\" || scalar.value < 0x20 {
            plain = false
            break
        }
        if plain {
            json += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case "\n": json += "\\n"
                case "\r": json += "\\r"
                case "\t": json += "\\t"
                case _ where scalar.value < 0x20: json += String(format: "\\u%04x", scalar.value)
                default: json.unicodeScalars.append(scalar)
                }
            }
        }
        json += "\""
    }

    /// Reads a payload back; nil when it is not a valid event.
    public init?(payload: String) {
        guard case .success(let event) = QueueEventJSON.event(Data(payload.utf8)) else { return nil }
        self = event
    }
}
