import Foundation

extension StationMetadataParser {
    /// A FreeSWITCH `mod_xml_cdr` file: `<cdr><variables>…</variables>…<callflow><caller_profile>…`.
    ///
    /// Read from `<variables>` (percent-decoded as FreeSWITCH encodes them; the first of a repeated variable
    /// wins; an empty one counts as absent): `uuid`, `caller_id_number` (else the first callflow's
    /// `caller_profile` `caller_id_number`, else its `ani`), `destination_number` (else the caller_profile's),
    /// `start_epoch` (required), `answer_epoch` and `end_epoch` (`0` means never), `duration`, `billsec`,
    /// `hangup_cause`, `call_direction` or else `direction` (normalised, see `StationCallMetadata.direction`) and
    /// the first of `recordingVariables` that is set (FusionPBX's directory `record_path` is joined with its
    /// `record_name`).
    public static func parseFreeSWITCHCDR(
        _ bytes: [UInt8], recordingVariables: [String] = ["record_path", "record_name"]
    ) throws(MetadataRefusal) -> StationCallMetadata {
        guard bytes.count <= maximumBytes else { throw oversize(atLeast: bytes.count, format: "XML") }
        let root = try XMLReader.read(bytes)
        guard root.name == "cdr" else { throw MetadataRefusal("the root element is <\(root.name)>, not a FreeSWITCH <cdr>") }
        guard let variables = root.firstChild(named: "variables") else { throw MetadataRefusal("the CDR has no <variables> element") }
        let profile = root.firstChild(named: "callflow")?.firstChild(named: "caller_profile")

        func variable(_ name: String) throws(MetadataRefusal) -> String? {
            guard let encoded = variables.firstChild(named: name)?.text, !encoded.isEmpty else { return nil }
            guard let decoded = FreeSWITCHValue.percentDecoded(encoded) else {
                throw MetadataRefusal("the variable \(name) is not UTF-8 once percent-decoded")
            }
            return decoded.isEmpty ? nil : decoded
        }
        func profileValue(_ name: String) -> String? {
            guard let text = profile?.firstChild(named: name)?.text, !text.isEmpty else { return nil }
            return text
        }
        func epoch(_ name: String, required: Bool) throws(MetadataRefusal) -> Date? {
            guard let text = try variable(name) else {
                if required { throw MetadataRefusal("\(name) is missing") }
                return nil
            }
            switch FreeSWITCHValue.epoch(text) {
            case .seconds(let seconds): return Date(timeIntervalSince1970: TimeInterval(seconds))
            case .absent:
                if required { throw MetadataRefusal("\(name) is 0: the call has no start time") }
                return nil
            case .invalid:
                throw MetadataRefusal("\(name) must be whole seconds since 1970 up to year 9999, not \"\(text.prefix(40))\"")
            }
        }
        func seconds(_ name: String) throws(MetadataRefusal) -> Int? {
            guard let text = try variable(name) else { return nil }
            guard let value = FreeSWITCHValue.wholeNumber(text, maximum: FreeSWITCHValue.latestEpoch) else {
                throw MetadataRefusal("\(name) must be a whole number of seconds, not \"\(text.prefix(40))\"")
            }
            return Int(value)
        }

        guard let rawCaller = try variable("caller_id_number") ?? profileValue("caller_id_number") ?? profileValue("ani") else {
            throw MetadataRefusal("caller_id_number is missing (neither a variable nor in the callflow's caller_profile, nor an ani)")
        }
        guard let rawReceiver = try variable("destination_number") ?? profileValue("destination_number") else {
            throw MetadataRefusal("destination_number is missing (neither a variable nor in the callflow's caller_profile)")
        }
        let caller = try party(rawCaller, field: "caller_id_number")
        let receiver = try party(rawReceiver, field: "destination_number")

        guard let startedAt = try epoch("start_epoch", required: true) else { throw MetadataRefusal("start_epoch is missing") }
        let answeredAt = try epoch("answer_epoch", required: false)
        let endedAt = try epoch("end_epoch", required: false)
        try checkTimeline(
            startedAt: startedAt, answeredAt: answeredAt, endedAt: endedAt, names: ("start_epoch", "answer_epoch", "end_epoch"))

        let callDirection = try variable("call_direction").flatMap(FreeSWITCHValue.normalizedDirection)
        let legDirection = try variable("direction").flatMap(FreeSWITCHValue.normalizedDirection)

        func recordingVariable(_ name: String) throws(MetadataRefusal) -> String? {
            guard let value = try variable(name) else { return nil }
            guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw MetadataRefusal("the recording variable \(name) contains control characters")
            }
            return value
        }
        var recordingReference: String?
        for name in recordingVariables {
            guard let value = try recordingVariable(name) else { continue }
            recordingReference = value
            // FusionPBX sets record_path to a directory and record_name to the file in it (its dialplans record
            // `${record_path}/${record_name}`): with both set and the name a bare file name, the file is the two
            // joined, unless record_path already ends in that name.
            if name == "record_path", recordingVariables.contains("record_name"), let file = try recordingVariable("record_name"),
                !file.contains("/"), (value as NSString).lastPathComponent != file
            {
                recordingReference = value.hasSuffix("/") ? value + file : value + "/" + file
            }
            break
        }

        return StationCallMetadata(
            caller: caller, receiver: receiver, startedAt: startedAt, answeredAt: answeredAt, endedAt: endedAt,
            direction: callDirection ?? legDirection, externalID: try variable("uuid") ?? profileValue("uuid"),
            hangupCause: try variable("hangup_cause"),
            durationSeconds: try seconds("duration"), billableSeconds: try seconds("billsec"), recordingReference: recordingReference)
    }
}
