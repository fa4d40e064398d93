#if canImport(Glibc)
import Glibc
#endif

/// The client's memory across restarts: an append-only log in `--state DIR`, one checksummed line per step of
/// a pair's delivery, each synced to disk before the step it records is acted on. Replaying it tells, for
/// every pair, whether its call exists (and which), whether its recording was stored, and whether it is done.
///
/// A crash can leave only a torn last line (appends are sequential); it is cut off on open, which loses only
/// the step that was being recorded, a step whose effect the next attempt repeats harmlessly (the API
/// replays the idempotency key of a create). Finished entries are compacted away once they dominate the file
/// and their metadata file has left the watched directory.
public actor IngestJournal {
    public nonisolated let path: String
    private let file: JournalFile
    private let lock: Int32
    private var descriptor: Int32
    private var size: Int
    private var entries: [String: JournalEntry] = [:]
    private var lineCount = 0
    private var compactionDue: Int
    private let compactAfterLines: Int
    private let stillPresent: @Sendable (JournalEntry) -> Bool
    private var broken = false

    /// Opens (or starts) the journal of `directory`, holding its lock for the life of the journal.
    /// `stillPresent` tells whether a finished entry's metadata file is still in place (its disposal was
    /// interrupted), which keeps it through compaction.
    public init(
        directory: String, compactAfterLines: Int = 4096,
        stillPresent: @escaping @Sendable (JournalEntry) -> Bool = { access($0.file, F_OK) == 0 },
        sync: @escaping @Sendable (Int32) -> Int32 = { fsync($0) }
    ) throws {
        path = directory + "/journal.log"
        file = JournalFile(path: path, sync: sync)
        self.compactAfterLines = compactAfterLines
        compactionDue = compactAfterLines
        self.stillPresent = stillPresent
        lock = try Self.takeLock(directory + "/lock")
        do {
            let bytes = try file.readAll()
            let replay = try JournalReplay(bytes, path: path)
            if replay.validLength < bytes.count { try file.truncate(to: replay.validLength) }
            entries = replay.entries
            lineCount = replay.lineCount
            size = replay.validLength
            descriptor = try file.openForAppending()
        } catch {
            close(lock)
            throw error
        }
    }

    deinit {
        close(descriptor)
        close(lock)
    }

    public func entry(for key: String) -> JournalEntry? {
        entries[key]
    }

    public var allEntries: [String: JournalEntry] { entries }

    /// Appends and syncs `event`; when this returns, a crash no longer loses it. On failure nothing changed:
    /// the partial line is cut off again, or, when even that fails, the journal refuses every later write.
    public func record(_ event: JournalEvent) throws {
        guard !broken else { throw JournalError.unusable(path) }
        if case .created(_, let callID) = event, !CallID.isCanonical(callID) {
            throw JournalError.invalidCallID(path: path, line: lineCount + 1)
        }
        let line = JournalLine.encode(event)
        do {
            try file.append(line, to: descriptor)
        } catch {
            do { try file.truncate(to: size) } catch { broken = true }
            throw error
        }
        size += line.count
        lineCount += 1
        JournalReplay.apply(event, to: &entries)
        if lineCount >= compactionDue { try compactIfDominated() }
    }

    /// Rewrites the file without the finished entries that are gone from disk, when they are more than half
    /// of the entries; the next check waits until the file has doubled again.
    private func compactIfDominated() throws {
        let finished = entries.values.filter { $0.finished != nil }.count
        guard finished * 2 > entries.count else {
            compactionDue = lineCount * 2
            return
        }
        let kept = entries.filter { $0.value.finished == nil || stillPresent($0.value) }
        var bytes: [UInt8] = []
        var lines = 0
        for (key, entry) in kept.sorted(by: { $0.key < $1.key }) {
            for event in entry.events(key: key) {
                bytes += JournalLine.encode(event)
                lines += 1
            }
        }
        try file.replace(with: bytes)
        // The old descriptor names the replaced file; appends must go to the new one.
        close(descriptor)
        descriptor = try file.openForAppending()
        entries = kept
        size = bytes.count
        lineCount = lines
        compactionDue = max(compactAfterLines, lines * 2)
    }

    private static func takeLock(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw JournalError.io("open \(path)", errno) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw JournalError.locked(path) }
            throw JournalError.io("lock \(path)", code)
        }
        return descriptor
    }
}
