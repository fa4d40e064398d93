import Foundation
import IngestMetadata
import Testing

@Suite struct FreeSWITCHMetadataTests {
    private func parse(
        _ overrides: [String: String?] = [:], profile: [String: String?] = [:],
        recordingVariables: [String] = ["record_path", "record_name"]
    ) throws(MetadataRefusal) -> StationCallMetadata {
        let text = MetadataSamples.freeSWITCHCDR(overrides, profile: profile)
        return try StationMetadataParser.parseFreeSWITCHCDR(Array(text.utf8), recordingVariables: recordingVariables)
    }

    private func refused(_ overrides: [String: String?], profile: [String: String?] = [:]) -> String {
        refusal { () throws(MetadataRefusal) in try parse(overrides, profile: profile) }?.reason ?? "parsed"
    }

    @Test func readsARealisticCDR() throws {
        let metadata = try parse()
        let start = MetadataSamples.startEpoch
        #expect(metadata.caller == "+442079460958")
        #expect(metadata.receiver == "1001")
        #expect(metadata.startedAt == MetadataSamples.date(start))
        #expect(metadata.answeredAt == MetadataSamples.date(start + 5))
        #expect(metadata.endedAt == MetadataSamples.date(start + 92))
        #expect(metadata.direction == "inbound")
        #expect(metadata.tags.isEmpty)
        #expect(metadata.externalID == MetadataSamples.uuid)
        #expect(metadata.hangupCause == "NORMAL_CLEARING")
        #expect(metadata.durationSeconds == 92)
        #expect(metadata.billableSeconds == 87)
        #expect(metadata.recordingReference == MetadataSamples.recordPath)
    }

    @Test func percentDecodesAsFreeSWITCHDoes() throws {
        // `+` stays `+` (FreeSWITCH writes a plus as %2B and never a space as +); a `%` without two hex digits
        // stays as it is; multi-byte UTF-8 is reassembled.
        let cases: [(String, String)] = [
            ("%2B15550100", "+15550100"), ("+1 555", "+1 555"), ("%2B1+555", "+1+555"), ("100%25", "100%"), ("50%zz", "50%zz"),
            ("1%4", "1%4"),
            ("Jos%C3%A9%20%28desk%29", "José (desk)"), ("a%3Cb%3E", "a<b>"),
        ]
        for (encoded, decoded) in cases {
            #expect(try parse(["caller_id_number": encoded]).caller == decoded)
        }
    }

    @Test func refusesAUsedVariableThatIsNotUTF8ButIgnoresUnusedOnes() throws {
        #expect(refused(["caller_id_number": "%FF1001"]) == "the variable caller_id_number is not UTF-8 once percent-decoded")
        // The sample carries `binary_header` = %FF%FE, which no field reads.
        #expect(try parse().caller == "+442079460958")
    }

    @Test func readsEntitiesAndCDATAInValues() throws {
        #expect(try parse(["caller_id_number": "&#x2B;1&#32;555&amp;"]).caller == "+1 555&")
        #expect(try parse(["hangup_cause": "<![CDATA[USER_BUSY]]>"]).hangupCause == "USER_BUSY")
        #expect(try parse(["destination_number": "<![CDATA[10]]>01"]).receiver == "1001")
    }

    @Test func callerFallsBackToTheCallerProfileThenTheANI() throws {
        #expect(try parse(["caller_id_number": nil], profile: ["caller_id_number": "2002"]).caller == "2002")
        #expect(try parse(["caller_id_number": ""], profile: ["caller_id_number": nil, "ani": "3003"]).caller == "3003")
        let reason = refused(["caller_id_number": nil], profile: ["caller_id_number": nil, "ani": nil])
        #expect(reason == "caller_id_number is missing (neither a variable nor in the callflow's caller_profile, nor an ani)")
    }

    @Test func receiverFallsBackToTheCallerProfile() throws {
        #expect(try parse(["destination_number": nil], profile: ["destination_number": "5005"]).receiver == "5005")
        #expect(
            refused(["destination_number": nil], profile: ["destination_number": nil])
                == "destination_number is missing (neither a variable nor in the callflow's caller_profile)")
    }

    @Test func refusesPartiesThatCannotBeNumbers() {
        #expect(refused(["caller_id_number": "%20%20"]) == "caller_id_number is empty")
        #expect(refused(["destination_number": "10%0A01"]) == "destination_number contains control characters")
    }

    @Test func externalIDFallsBackToTheProfileUUID() throws {
        #expect(try parse(["uuid": nil], profile: ["uuid": "abc-1"]).externalID == "abc-1")
        #expect(try parse(["uuid": nil], profile: ["uuid": nil]).externalID == nil)
    }

    @Test func zeroAnswerAndEndEpochsMeanNever() throws {
        let unanswered = try parse(["answer_epoch": "0", "billsec": "0"])
        #expect(unanswered.answeredAt == nil && unanswered.billableSeconds == 0)
        let absent = try parse(["answer_epoch": nil, "end_epoch": "0", "duration": nil, "billsec": nil, "hangup_cause": nil])
        #expect(absent.answeredAt == nil && absent.endedAt == nil && absent.durationSeconds == nil && absent.billableSeconds == nil)
        #expect(absent.hangupCause == nil)
    }

    @Test func acceptsTheLatestEpoch() throws {
        #expect(try parse(["end_epoch": "253402300799"]).endedAt == MetadataSamples.date(253_402_300_799))
    }

    static let badNumbers = ["-5", "+5", " 5", "5 ", "1e9", "12.5", "0x10", "253402300800", "99999999999999999999999999", "٣"]

    @Test(arguments: badNumbers)
    func refusesEpochsThatAreNotWholeSecondsWithoutTrapping(text: String) {
        for name in ["start_epoch", "answer_epoch", "end_epoch"] {
            #expect(refused([name: text]).hasPrefix("\(name) must be whole seconds since 1970 up to year 9999"), "\(name)=\(text)")
        }
    }

    @Test(arguments: badNumbers.filter { $0 != "253402300800" })
    func refusesDurationsThatAreNotWholeSeconds(text: String) {
        for name in ["duration", "billsec"] {
            #expect(refused([name: text]).hasPrefix("\(name) must be a whole number of seconds"), "\(name)=\(text)")
        }
    }

    @Test func requiresAStartEpoch() {
        #expect(refused(["start_epoch": nil]) == "start_epoch is missing")
        #expect(refused(["start_epoch": "0"]) == "start_epoch is 0: the call has no start time")
    }

    @Test func refusesAnImpossibleTimeline() {
        let start = MetadataSamples.startEpoch
        #expect(refused(["end_epoch": String(start - 1), "answer_epoch": "0"]) == "end_epoch is before start_epoch")
        #expect(refused(["answer_epoch": String(start - 1)]) == "answer_epoch is before start_epoch")
        #expect(refused(["answer_epoch": String(start + 93)]) == "answer_epoch is after end_epoch")
    }

    @Test func directionPrefersTheCallDirectionAndNormalisesLocal() throws {
        #expect(try parse(["call_direction": "local", "direction": "outbound"]).direction == "internal")
        #expect(try parse(["call_direction": nil, "direction": "outbound"]).direction == "outbound")
        #expect(try parse(["call_direction": "sideways", "direction": "inbound"]).direction == "inbound")
        #expect(try parse(["call_direction": nil, "direction": "sideways"]).direction == nil)
    }

    @Test func recordingIsTheFirstConfiguredVariableThatIsSet() throws {
        #expect(try parse(["record_path": nil]).recordingReference == "sales queue+1.wav")
        #expect(try parse(["record_path": nil, "record_name": nil]).recordingReference == nil)
        #expect(try parse(["my_rec": "calls%2Fx.mp3"], recordingVariables: ["my_rec", "record_path"]).recordingReference == "calls/x.mp3")
        #expect(try parse(recordingVariables: []).recordingReference == nil)
        #expect(refused(["record_path": "a%00b.wav"]) == "the recording variable record_path contains control characters")
    }

    /// FusionPBX's dialplans set record_path to a dated directory and record_name to the file in it.
    @Test func joinsFusionPBXsRecordPathDirectoryAndRecordName() throws {
        let directory = "/var/lib/freeswitch/recordings/pbx.example/archive/2025/Dec/01"
        let name = "\(MetadataSamples.uuid).wav"
        #expect(try parse(["record_path": directory, "record_name": name]).recordingReference == "\(directory)/\(name)")
        #expect(try parse(["record_path": directory + "/", "record_name": name]).recordingReference == "\(directory)/\(name)")
        // Already the full path, a name with a directory in it, or record_name not among the variables: no join.
        #expect(try parse(["record_path": "\(directory)/\(name)", "record_name": name]).recordingReference == "\(directory)/\(name)")
        #expect(try parse(["record_path": directory, "record_name": "x/\(name)"]).recordingReference == directory)
        #expect(try parse(["record_path": directory], recordingVariables: ["record_path"]).recordingReference == directory)
        #expect(
            refused(["record_path": directory, "record_name": "a%0Db.wav"])
                == "the recording variable record_name contains control characters")
    }

    @Test func aRepeatedVariableReadsAsItsFirstValue() throws {
        var text = MetadataSamples.freeSWITCHCDR()
        text = text.replacingOccurrences(of: "<billsec>87</billsec>", with: "<billsec>87</billsec><billsec>1</billsec>")
        #expect(try StationMetadataParser.parseFreeSWITCHCDR(Array(text.utf8)).billableSeconds == 87)
    }

    @Test func refusesDocumentsThatAreNotACDR() {
        let notCDR = refusal { () throws(MetadataRefusal) in try StationMetadataParser.parseFreeSWITCHCDR(Array("<call/>".utf8)) }
        #expect(notCDR?.reason == "the root element is <call>, not a FreeSWITCH <cdr>")
        let noVariables = refusal { () throws(MetadataRefusal) in
            try StationMetadataParser.parseFreeSWITCHCDR(Array("<cdr><callflow/></cdr>".utf8))
        }
        #expect(noVariables?.reason == "the CDR has no <variables> element")
    }
}
