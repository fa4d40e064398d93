import Foundation

/// Reads the metadata files stations write (see `MetadataFileFormat`) into `StationCallMetadata`.
///
/// Both parsers take the file's bytes and never trap: anything they cannot read, or that would break an
/// invariant `StationCallMetadata` documents, is a `MetadataRefusal` whose reason names the field (or the byte
/// offset) at fault.
public enum StationMetadataParser {
    /// Metadata files are a few KiB (a FreeSWITCH CDR with hundreds of variables stays under 100 KiB); anything
    /// over 1 MiB is refused before it is parsed, and `readMetadataFile` refuses it without reading it whole.
    public static let maximumBytes = 1 << 20

    /// The bytes of a metadata file, read with at most `maximumBytes + 1` bytes in memory. Throws a
    /// `MetadataRefusal` for a file over `maximumBytes` (a permanent problem) and the underlying error when
    /// the file cannot be opened or read (maybe a passing one).
    public static func readMetadataFile(atPath path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        guard data.count <= maximumBytes else { throw oversize(atLeast: data.count, format: "metadata") }
        return [UInt8](data)
    }

    static func oversize(atLeast count: Int, format: String) -> MetadataRefusal {
        MetadataRefusal("the \(format) file is \(count) bytes or more, over the limit of \(maximumBytes)")
    }

    /// A caller or receiver as the call will carry it: trimmed, not empty, no control characters (the service
    /// validates it as a phone number; this only keeps what cannot be one out of the request).
    static func party(_ raw: String, field: String) throws(MetadataRefusal) -> String {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw MetadataRefusal("\(field) is empty") }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw MetadataRefusal("\(field) contains control characters")
        }
        return value
    }

    /// A call cannot be answered or end before it started, nor be answered after it ended; refused rather than
    /// reordered, since a file that says so is wrong and any repair would be a guess.
    static func checkTimeline(
        startedAt: Date, answeredAt: Date?, endedAt: Date?, names: (started: String, answered: String, ended: String)
    ) throws(MetadataRefusal) {
        if let endedAt, endedAt < startedAt { throw MetadataRefusal("\(names.ended) is before \(names.started)") }
        if let answeredAt, answeredAt < startedAt { throw MetadataRefusal("\(names.answered) is before \(names.started)") }
        if let answeredAt, let endedAt, answeredAt > endedAt {
            throw MetadataRefusal("\(names.answered) is after \(names.ended)")
        }
    }
}
