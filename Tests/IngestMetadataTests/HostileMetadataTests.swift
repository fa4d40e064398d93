import CPUBoundTesting
import Foundation
import IngestMetadata
import SeededRandomness
import Testing

/// Input no station should write: truncated, corrupted, huge. Either a refusal with a reason or a result that
/// keeps every invariant `StationCallMetadata` documents; never a crash or trap.
@Suite(.cpuBound) struct HostileMetadataTests {
    enum Format: CaseIterable {
        case json, freeswitch

        var sample: [UInt8] {
            Array((self == .json ? MetadataSamples.json() : MetadataSamples.freeSWITCHCDR()).utf8)
        }

        func parse(_ bytes: [UInt8]) -> Result<StationCallMetadata, MetadataRefusal> {
            Result { () throws(MetadataRefusal) in
                self == .json ? try StationMetadataParser.parseJSON(bytes) : try StationMetadataParser.parseFreeSWITCHCDR(bytes)
            }
        }
    }

    /// What a batch of parses came to; `broken` lists results that broke an invariant.
    struct Outcomes {
        var parsed = 0
        var refused = 0
        var broken: [String] = []

        mutating func record(_ result: Result<StationCallMetadata, MetadataRefusal>, input: [UInt8]) {
            switch result {
            case .success(let metadata):
                parsed += 1
                let problems = brokenInvariants(metadata)
                if !problems.isEmpty, broken.count < 5 {
                    broken.append("\(problems) from \(String(decoding: input, as: UTF8.self).debugDescription)")
                }
            case .failure(let refusal):
                refused += 1
                if refusal.reason.isEmpty, broken.count < 5 { broken.append("an empty reason") }
            }
        }
    }

    @Test(arguments: Format.allCases)
    func theSampleParses(format: Format) throws {
        #expect(brokenInvariants(try format.parse(format.sample).get()).isEmpty)
    }

    /// Cut after every byte: only the prefix that drops nothing but the final newline still parses.
    @Test(arguments: Format.allCases)
    func everyTruncationIsRefused(format: Format) {
        let sample = format.sample
        var parsedLengths: [Int] = []
        for length in 0..<sample.count {
            let result = format.parse(Array(sample[..<length]))
            if case .success(let metadata) = result {
                parsedLengths.append(length)
                #expect(brokenInvariants(metadata).isEmpty)
            } else if case .failure(let refusal) = result {
                #expect(!refusal.reason.isEmpty)
            }
        }
        #expect(parsedLengths == [sample.count - 1])
    }

    /// Thousands of byte-level corruptions (replaced, deleted, inserted and repeated bytes) from a fixed seed.
    @Test(arguments: Format.allCases)
    func byteMutationsAreRefusedOrKeepTheInvariants(format: Format) {
        var random = SeededRandom(seed: format == .json ? 19 : 1919)
        let sample = format.sample
        var outcomes = Outcomes()
        for _ in 0..<4000 {
            var bytes = sample
            for _ in 0...random.below(4) { mutate(&bytes, &random) }
            outcomes.record(format.parse(bytes), input: bytes)
        }
        #expect(outcomes.broken.isEmpty, "\(outcomes.broken)")
        // Both outcomes must occur, or the property says nothing about one of them.
        #expect(outcomes.parsed > 100 && outcomes.refused > 100, "parsed \(outcomes.parsed), refused \(outcomes.refused)")
    }

    /// Thousands of random values for the fields the parsers read, so the checks behind the syntax are reached.
    @Test(arguments: Format.allCases)
    func randomFieldValuesAreRefusedOrKeepTheInvariants(format: Format) {
        var random = SeededRandom(seed: format == .json ? 8259 : 3339)
        let fields =
            format == .json
            ? ["caller", "receiver", "started_at", "ended_at", "direction", "tags"]
            : [
                "caller_id_number", "destination_number", "start_epoch", "answer_epoch", "end_epoch", "duration", "billsec",
                "direction", "call_direction", "record_path", "uuid", "hangup_cause",
            ]
        var outcomes = Outcomes()
        for _ in 0..<4000 {
            var overrides: [String: String?] = [:]
            for _ in 0...random.below(3) {
                let field = fields[random.below(fields.count)]
                overrides[field] = random.chance(0.1) ? .some(nil) : randomValue(for: format, &random)
            }
            let text = format == .json ? MetadataSamples.json(overrides) : MetadataSamples.freeSWITCHCDR(overrides)
            outcomes.record(format.parse(Array(text.utf8)), input: Array(text.utf8))
        }
        #expect(outcomes.broken.isEmpty, "\(outcomes.broken)")
        #expect(outcomes.parsed > 100 && outcomes.refused > 100, "parsed \(outcomes.parsed), refused \(outcomes.refused)")
    }

    @Test(arguments: Format.allCases)
    func aFiveMegabyteFileIsRefusedBeforeParsing(format: Format) {
        let padding: [UInt8] =
            format == .json
            ? Array(repeating: UInt8(ascii: " "), count: 5 << 20) : Array("<!---->".utf8) + Array(repeating: 0x20, count: 5 << 20)
        let result = format.parse(format.sample + padding)
        guard case .failure(let refusal) = result else {
            Issue.record("a 5 MB file was parsed")
            return
        }
        #expect(refusal.reason.hasSuffix("bytes or more, over the limit of 1048576"))
    }

    @Test func readingAFileStopsAtTheLimit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-metadata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let small = directory.appendingPathComponent("call.json").path
        let huge = directory.appendingPathComponent("huge.xml").path
        #expect(FileManager.default.createFile(atPath: small, contents: Data(MetadataSamples.json().utf8)))
        #expect(FileManager.default.createFile(atPath: huge, contents: Data(count: 5 << 20)))

        #expect(try StationMetadataParser.readMetadataFile(atPath: small) == Array(MetadataSamples.json().utf8))
        #expect(throws: MetadataRefusal("the metadata file is 1048577 bytes or more, over the limit of 1048576")) {
            try StationMetadataParser.readMetadataFile(atPath: huge)
        }
        // A missing file is an I/O error, not a refusal: it may be back on the next scan.
        #expect(throws: CocoaError.self) {
            try StationMetadataParser.readMetadataFile(atPath: directory.appendingPathComponent("gone").path)
        }
    }

    private static let interestingBytes = Array("<>&;#x\"'/![]-=?%+0123456789 \n\tTZ:.,{}eE\\u".utf8) + [0x00, 0x07, 0x7F, 0xC3, 0xFF]

    private func mutate(_ bytes: inout [UInt8], _ random: inout SeededRandom) {
        guard !bytes.isEmpty else { return }
        let index = random.below(bytes.count)
        switch random.below(5) {
        case 0: bytes[index] = UInt8(truncatingIfNeeded: random.next())
        case 1: bytes[index] = Self.interestingBytes[random.below(Self.interestingBytes.count)]
        case 2: bytes.removeSubrange(index..<min(bytes.count, index + 1 + random.below(8)))
        case 3: bytes.insert(Self.interestingBytes[random.below(Self.interestingBytes.count)], at: index)
        default:
            let end = min(bytes.count, index + 1 + random.below(64))
            bytes.insert(contentsOf: bytes[index..<end], at: random.below(bytes.count))
        }
    }

    /// A value for one field: numbers near the edges, timestamps, directions, escapes, junk.
    private func randomValue(for format: Format, _ random: inout SeededRandom) -> String {
        let pieces = [
            "0", "1", "-1", "1764581400", "1764581499", "1764581300", "253402300799", "253402300800", "99999999999999999999", "+",
            " ", "%20", "%2B", "%0A", "%FF", "%C3%A9", "&amp;", "&#x41;", "&#0;", "inbound", "outbound", "local", "internal",
            "2025-12-01T09:30:00Z", "2025-12-01T09:29:00Z", "2025-12-01T12:31:00+03:00", "\\u0000", "\\t", "\\ud800", "\"", "x",
            "<![CDATA[", "]]>", "1001",
        ]
        var value = ""
        for _ in 0...random.below(4) { value += pieces[random.below(pieces.count)] }
        guard format == .json else { return value }
        switch random.below(6) {
        case 0: return value.isEmpty ? "0" : value
        case 1: return "[\"\(value)\"]"
        default: return "\"\(value)\""
        }
    }
}
