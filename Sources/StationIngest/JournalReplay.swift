/// Reads a journal's bytes back into entries, and finds where its valid lines end.
struct JournalReplay {
    var entries: [String: JournalEntry] = [:]
    var lineCount = 0
    /// Bytes up to the end of the last valid line; anything after it is a torn write to cut off.
    var validLength = 0

    init(_ bytes: [UInt8], path: String) throws {
        var start = 0
        var lineNumber = 0
        var firstBadLine: Int?
        while start < bytes.count {
            lineNumber += 1
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            if let event = JournalLine.decode(bytes[start..<newline]) {
                if let bad = firstBadLine { throw JournalError.corrupt(path: path, line: bad) }
                if case .created(_, let callID) = event, !CallID.isCanonical(callID) {
                    throw JournalError.invalidCallID(path: path, line: lineNumber)
                }
                Self.apply(event, to: &entries)
                lineCount += 1
                validLength = newline + 1
            } else if firstBadLine == nil {
                firstBadLine = lineNumber
            }
            start = newline + 1
        }
    }

    static func apply(_ event: JournalEvent, to entries: inout [String: JournalEntry]) {
        switch event {
        case .taken(let key, let station, let file, let sha):
            if entries[key] == nil { entries[key] = JournalEntry(station: station, file: file, metadataSHA256: sha) }
        case .created(let key, let callID): entries[key]?.callID = callID
        case .uploaded(let key): entries[key]?.uploaded = true
        case .finished(let key, let outcome): entries[key]?.finished = outcome
        }
    }
}
