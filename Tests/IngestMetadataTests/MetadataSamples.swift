import Foundation
import IngestMetadata

/// Metadata files built the way stations write them, with every part replaceable so a test changes one thing.
enum MetadataSamples {
    // 2025-12-01T09:30:00Z and the instants after it that the FreeSWITCH sample names.
    static let startEpoch: Int64 = 1_764_581_400
    static let uuid = "6f1c2d4e-8a9b-4c3d-9e0f-1a2b3c4d5e6f"
    static let recordPath = "/var/lib/freeswitch/recordings/2025-12-01/sales queue+1.wav"

    /// The `<variables>` of an inbound call's A-leg, values URL-encoded as `mod_xml_cdr` writes them
    /// (`switch_url_encode`: a space is `%20`, `+` is `%2B`, `@` is `%40`, `/` stays).
    static let variables: [(String, String)] = [
        ("direction", "inbound"),
        ("uuid", uuid),
        ("session_id", "42"),
        ("sip_from_user", "%2B442079460958"),
        ("sip_from_uri", "%2B442079460958%40203.0.113.7"),
        ("sip_user_agent", "Yealink%20SIP-T46S%2066.86.0.15"),
        ("caller_id_name", "Alice%20Example"),
        ("caller_id_number", "%2B442079460958"),
        ("destination_number", "1001"),
        ("call_direction", "inbound"),
        ("RECORD_STEREO", "true"),
        ("record_path", "/var/lib/freeswitch/recordings/2025-12-01/sales%20queue%2B1.wav"),
        ("record_name", "sales%20queue%2B1.wav"),
        ("start_epoch", String(startEpoch)),
        ("start_uepoch", String(startEpoch) + "123456"),
        ("answer_epoch", String(startEpoch + 5)),
        ("end_epoch", String(startEpoch + 92)),
        ("duration", "92"),
        ("billsec", "87"),
        ("hangup_cause", "<![CDATA[NORMAL_CLEARING]]>"),
        ("sip_hangup_disposition", "send_bye"),
        ("binary_header", "%FF%FE"),
    ]

    static let profile: [(String, String)] = [
        ("username", "alice"),
        ("dialplan", "XML"),
        ("caller_id_name", "Alice Example"),
        ("ani", "+442079460958"),
        ("aniii", ""),
        ("caller_id_number", "+442079460958"),
        ("network_addr", "203.0.113.7"),
        ("destination_number", "1001"),
        ("uuid", uuid),
        ("context", "public"),
    ]

    /// A CDR with `overrides` applied to the variables (nil removes one; a name not in the list is added at
    /// the end) and `profileOverrides` to the callflow's caller_profile likewise.
    static func freeSWITCHCDR(_ overrides: [String: String?] = [:], profile profileOverrides: [String: String?] = [:]) -> String {
        var text = "<?xml version=\"1.0\"?>\n<cdr core-uuid=\"0c5b6f0e-2f2a-4b8a-9c51-1f2e3d4c5b6a\" switchname=\"pbx-01\">\n"
        text += "  <channel_data>\n    <state>CS_REPORTING</state>\n    <direction>inbound</direction>\n  </channel_data>\n"
        text += "  <variables>\n" + elements(variables, overrides, indent: "    ") + "  </variables>\n"
        text += "  <app_log>\n"
        text += "    <application app_name=\"set\" app_data=\"RECORD_STEREO=true\"></application>\n"
        text += "    <application app_name=\"record_session\" app_data=\"$${recordings_dir}/${strftime(%Y-%m-%d)}/x.wav\"/>\n"
        text += "    <application app_name=\"bridge\" app_data=\"user/1001@pbx.example\"></application>\n"
        text += "  </app_log>\n"
        text += "  <!-- the newest callflow comes first -->\n"
        text += "  <callflow dialplan=\"XML\" profile_index=\"1\">\n"
        text += "    <extension name=\"sales\" number=\"1001\">\n"
        text += "      <application app_name=\"bridge\" app_data=\"user/1001\"></application>\n    </extension>\n"
        text += "    <caller_profile>\n" + elements(profile, profileOverrides, indent: "      ")
        text += "      <originatee>\n        <originatee_caller_profile type=\"originatee\">\n"
        text += "          <caller_id_number>1001</caller_id_number>\n        </originatee_caller_profile>\n      </originatee>\n"
        text += "    </caller_profile>\n"
        text += "    <times>\n      <created_time>\(startEpoch)000000</created_time>\n    </times>\n"
        text += "  </callflow>\n</cdr>\n"
        return text
    }

    private static func elements(_ base: [(String, String)], _ overrides: [String: String?], indent: String) -> String {
        var text = ""
        var seen: Set<String> = []
        for (name, value) in base {
            seen.insert(name)
            let replaced = overrides[name].map { $0 } ?? value
            guard let replaced else { continue }
            text += "\(indent)<\(name)>\(replaced)</\(name)>\n"
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) where !seen.contains(name) {
            if let value { text += "\(indent)<\(name)>\(value)</\(name)>\n" }
        }
        return text
    }

    /// The JSON members of a complete sample as raw JSON text, in order.
    static let jsonMembers: [(String, String)] = [
        ("caller", "\"+7 (900) 123-45-67\""),
        ("receiver", "\"+44 20 7946 0958\""),
        ("started_at", "\"2025-12-01T12:30:00+03:00\""),
        ("ended_at", "\"2025-12-01T09:31:32.500Z\""),
        ("direction", "\"outbound\""),
        ("tags", "[\"sales\", \"Callback\"]"),
        ("station_note", "{\"anything\": [1, 2.5e3, true, null]}"),
    ]

    /// A JSON file with `overrides` applied (raw JSON text; nil removes a member; new names are appended).
    static func json(_ overrides: [String: String?] = [:]) -> String {
        var members: [String] = []
        var seen: Set<String> = []
        for (name, value) in jsonMembers {
            seen.insert(name)
            let replaced = overrides[name].map { $0 } ?? value
            if let replaced { members.append("\"\(name)\": \(replaced)") }
        }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) where !seen.contains(name) {
            if let value { members.append("\"\(name)\": \(value)") }
        }
        return "{\n  " + members.joined(separator: ",\n  ") + "\n}\n"
    }

    static func date(_ epoch: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(epoch))
    }
}

/// The invariants `StationCallMetadata` documents, as a list of broken ones (empty when all hold).
func brokenInvariants(_ metadata: StationCallMetadata) -> [String] {
    var broken: [String] = []
    func isClean(_ text: String) -> Bool {
        !text.isEmpty && text == text.trimmingCharacters(in: .whitespacesAndNewlines)
            && !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
    if !isClean(metadata.caller) { broken.append("caller \(metadata.caller.debugDescription)") }
    if !isClean(metadata.receiver) { broken.append("receiver \(metadata.receiver.debugDescription)") }
    if let answeredAt = metadata.answeredAt, answeredAt < metadata.startedAt { broken.append("answered before start") }
    if let endedAt = metadata.endedAt, endedAt < metadata.startedAt { broken.append("ended before start") }
    if let answeredAt = metadata.answeredAt, let endedAt = metadata.endedAt, answeredAt > endedAt { broken.append("answered after end") }
    if let direction = metadata.direction, !StationCallMetadata.directions.contains(direction) {
        broken.append("direction \(direction)")
    }
    if let duration = metadata.durationSeconds, duration < 0 { broken.append("duration \(duration)") }
    if let billable = metadata.billableSeconds, billable < 0 { broken.append("billsec \(billable)") }
    if let reference = metadata.recordingReference, reference.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    {
        broken.append("recording reference \(reference.debugDescription)")
    }
    return broken
}

/// The refusal a parse threw, or nil when it succeeded.
func refusal(_ parse: () throws(MetadataRefusal) -> StationCallMetadata) -> MetadataRefusal? {
    do {
        _ = try parse()
        return nil
    } catch {
        return error
    }
}
