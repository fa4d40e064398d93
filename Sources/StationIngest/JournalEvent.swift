/// One line of the journal: a step of one metadata file's delivery, named by the pair's idempotency key.
public enum JournalEvent: Sendable, Equatable {
    /// The pair was taken: which file, from which station, with which metadata content.
    case taken(key: String, station: String, file: String, metadataSHA256: String)
    /// `POST /calls` answered with this call; every later attempt uploads to it instead of creating another.
    case created(key: String, callID: String)
    /// The recording is stored under the call (or there was none to send).
    case uploaded(key: String)
    /// Nothing is left to send; the files are (being) moved out of the watched directory.
    case finished(key: String, FinishedOutcome)

    public var key: String {
        switch self {
        case .taken(let key, _, _, _), .created(let key, _), .uploaded(let key), .finished(let key, _): key
        }
    }
}

public enum FinishedOutcome: String, Sendable, Equatable {
    case done, failed
}

/// What the journal knows of one pair after replaying its lines.
public struct JournalEntry: Sendable, Equatable {
    public var station: String
    public var file: String
    public var metadataSHA256: String
    public var callID: String?
    public var uploaded = false
    public var finished: FinishedOutcome?

    /// The lines that bring a fresh journal to this entry, used when compacting.
    func events(key: String) -> [JournalEvent] {
        var events: [JournalEvent] = [.taken(key: key, station: station, file: file, metadataSHA256: metadataSHA256)]
        if let callID { events.append(.created(key: key, callID: callID)) }
        if uploaded { events.append(.uploaded(key: key)) }
        if let finished { events.append(.finished(key: key, finished)) }
        return events
    }
}
