import Foundation
import Synchronization
import Testing
import TestSupport

@testable import StationIngest

@Suite struct JournalTests {
    /// A UUID of its own for each key, the same on every call.
    static func callID(_ key: String) -> String {
        String(format: "%08x-0000-4000-8000-000000000000", key.utf8.reduce(UInt32(7)) { $0 &* 31 &+ UInt32($1) })
    }

    static func fill(_ journal: IngestJournal, key: String, file: String = "/watch/a.json", through step: Int) async throws {
        let events: [JournalEvent] = [
            .taken(key: key, station: "pbx-1", file: file, metadataSHA256: "abc"), .created(key: key, callID: callID(key)),
            .uploaded(key: key), .finished(key: key, .done),
        ]
        for event in events.prefix(step) { try await journal.record(event) }
    }

    /// The journal of `directory` once the one opened before has let go of its lock. The earlier journal's actor
    /// is released by the thread that ran its last job, which on a busy machine may come after its scope ended
    /// (seen once: `locked` on an immediate reopen).
    static func reopen(_ directory: TemporaryDirectory) async throws -> IngestJournal {
        try await firstValue(of: "the journal's lock given back", within: 10, every: .milliseconds(10)) {
            do {
                return try IngestJournal(directory: directory.path)
            } catch JournalError.locked {
                return nil
            }
        }
    }

    @Test func replaysEveryStepAfterAReopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let journal = try IngestJournal(directory: directory.path)
            try await Self.fill(journal, key: "k1", through: 2)
            try await Self.fill(journal, key: "k2", through: 4)
        }
        let reopened = try await Self.reopen(directory)
        let first = try #require(await reopened.entry(for: "k1"))
        #expect(first.callID == Self.callID("k1") && !first.uploaded && first.finished == nil)
        let second = try #require(await reopened.entry(for: "k2"))
        #expect(second.uploaded && second.finished == .done && second.station == "pbx-1")
        #expect(await reopened.entry(for: "k3") == nil)
    }

    @Test func cutsOffATornLastLineAndAppendsAfterIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        do {
            let journal = try IngestJournal(directory: directory.path)
            try await Self.fill(journal, key: "k1", through: 2)
        }
        let path = directory.path + "/journal.log"
        let intact = try #require(FileManager.default.contents(atPath: path))
        // A crash in the middle of writing the next line: part of a valid line, no newline.
        let torn = JournalLine.encode(.uploaded(key: "k1")).prefix(20)
        try (intact + torn).write(to: URL(fileURLWithPath: path))

        do {
            let journal = try await Self.reopen(directory)
            #expect(try #require(await journal.entry(for: "k1")).uploaded == false)
            #expect(FileManager.default.contents(atPath: path) == intact)
            try await journal.record(.uploaded(key: "k1"))
        }
        let reopened = try await Self.reopen(directory)
        #expect(try #require(await reopened.entry(for: "k1")).uploaded)
    }

    @Test func refusesDamageFollowedByGoodLines() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.log"
        var bytes = JournalLine.encode(.taken(key: "k1", station: "s", file: "f", metadataSHA256: "x"))
        var damaged = JournalLine.encode(.created(key: "k1", callID: Self.callID("k1")))
        damaged[12] ^= 0x20
        bytes += damaged + JournalLine.encode(.uploaded(key: "k1"))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: JournalError.corrupt(path: path, line: 2)) { try IngestJournal(directory: directory.path) }
    }

    @Test func compactsFinishedEntriesWhoseFilesAreGone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.log"
        do {
            // Entry "stays-0" is finished but its file is still there (a move interrupted): it must survive.
            let journal = try IngestJournal(directory: directory.path, compactAfterLines: 16, stillPresent: { $0.file == "/watch/stays" })
            try await Self.fill(journal, key: "open", through: 2)
            try await Self.fill(journal, key: "stays-0", file: "/watch/stays", through: 4)
            for index in 0..<10 { try await Self.fill(journal, key: "gone-\(index)", through: 4) }
        }
        let lines = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self).split(separator: "\n")
        #expect(lines.count < 2 + 4 + 40)
        let reopened = try await Self.reopen(directory)
        let entries = await reopened.allEntries
        #expect(entries["open"]?.callID == Self.callID("open"))
        #expect(entries["stays-0"]?.finished == .done)
        #expect(entries.keys.filter { $0.hasPrefix("gone-") }.count < 10)
    }

    @Test func syncsEveryLineAndUndoesALineWhoseSyncFailed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let syncs = Mutex(0)
        let failing = Mutex(false)
        do {
            let journal = try IngestJournal(
                directory: directory.path,
                sync: { descriptor in
                    syncs.withLock { $0 += 1 }
                    if failing.withLock({ $0 }) {
                        errno = EIO
                        return -1
                    }
                    return fsync(descriptor)
                })
            let afterOpen = syncs.withLock { $0 }
            try await Self.fill(journal, key: "k1", through: 2)
            #expect(syncs.withLock { $0 } == afterOpen + 2)
            failing.withLock { $0 = true }
            await #expect(throws: JournalError.io("fsync \(directory.path)/journal.log", EIO)) {
                try await journal.record(.uploaded(key: "k1"))
            }
            #expect(try #require(await journal.entry(for: "k1")).uploaded == false)
        }
        let reopened = try await Self.reopen(directory)
        #expect(try #require(await reopened.entry(for: "k1")).uploaded == false)
    }

    /// An intact line (its checksum holds) naming a call id that is not a UUID stops the client at open, wherever
    /// the line is: cutting it off as torn would hide it, using it would put it into a URL path.
    @Test(arguments: ["../../admin", "6f1c2d3e-0000-4000-8000-00000000000", "6f1c2d3e_0000-4000-8000-000000000001", ""])
    func refusesAJournalNamingACallThatIsNotAUUID(callID: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.log"
        let bytes =
            JournalLine.encode(.taken(key: "k1", station: "s", file: "f", metadataSHA256: "x"))
            + JournalLine.encode(.created(key: "k1", callID: callID))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: JournalError.invalidCallID(path: path, line: 2)) { try IngestJournal(directory: directory.path) }
        #expect("\(JournalError.invalidCallID(path: path, line: 2))".contains("line 2 names a call id that is not a UUID"))
    }

    @Test func neverWritesACallIDThatIsNotAUUID() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try IngestJournal(directory: directory.path)
        try await Self.fill(journal, key: "k1", through: 1)
        await #expect(throws: JournalError.invalidCallID(path: directory.path + "/journal.log", line: 2)) {
            try await journal.record(.created(key: "k1", callID: "c1/../../x"))
        }
        try await journal.record(.created(key: "k1", callID: "6F1C2D3E-0000-4000-8000-000000000001"))
        #expect(try #require(await journal.entry(for: "k1")).callID == "6F1C2D3E-0000-4000-8000-000000000001")
    }

    @Test func aSecondClientOnTheSameStateIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try IngestJournal(directory: directory.path)
        #expect(throws: JournalError.locked(directory.path + "/lock")) { try IngestJournal(directory: directory.path) }
        _ = first
    }
}
