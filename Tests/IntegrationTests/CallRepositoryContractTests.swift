import CallsCore
import CallsStore
import Crypto
import Foundation
import PostgresNIO
import Synchronization
import TestSupport
import Testing

/// The promises of `CallRepository` (with its outbox and upload ledger), checked with the same assertions on
/// the in-memory twin the route tests use and on PostgreSQL: where they disagree, the route tests would pass
/// against behaviour production does not have.
@Suite struct CallRepositoryContractTests {
    typealias Repository = CallRepository & Outbox & UploadLedger

    enum Kind: String, CustomTestStringConvertible, CaseIterable {
        case inMemory, postgres
        var testDescription: String { rawValue }

        static var underTest: [Kind] { TestServices.mustRun ? [.inMemory, .postgres] : [.inMemory] }
    }

    @Test(arguments: Kind.underTest)
    func aCreatedCallIsFoundAsItWasStored(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            let created = try await calls.create(try Self.newCall(tags: ["vip"], callbackURL: "https://example.com/hook"))
            #expect(created.status == .created)
            #expect(created.caller == "+7 900 123-45-67" && created.receiver == "+44 20 7946 0958")
            #expect(created.tags == ["vip"])
            #expect(created.createdAt == created.updatedAt)
            #expect(created.recording == nil && created.error == nil)
            #expect(created.callback == CallbackState(url: "https://example.com/hook"))
            #expect(try await calls.find(id: created.id) == created)
            #expect(try await calls.find(id: UUID()) == nil)
        }
    }

    @Test(arguments: Kind.underTest)
    func stationFactsAreStoredAndFoundAsSent(kind: Kind) async throws {
        let facts = StationFactsRequest(
            name: "pbx-1", callId: "1b7b6c2e-8d2e-4d1e-9f00-3f1d2a9c0b11", direction: "internal",
            answeredAt: Timestamp.format(Self.at(hour: 9).addingTimeInterval(4.25)),
            endedAt: Timestamp.format(Self.at(hour: 9).addingTimeInterval(64)),
            hangupCause: "NORMAL_CLEARING", durationSec: 64, billableSec: 60)
        try await withRepository(kind) { calls in
            let created = try await calls.create(try Self.newCall(station: facts))
            #expect(
                created.station
                    == StationFacts(
                        name: "pbx-1", callID: "1b7b6c2e-8d2e-4d1e-9f00-3f1d2a9c0b11", direction: "internal",
                        answeredAt: Self.at(hour: 9).addingTimeInterval(4.25), endedAt: Self.at(hour: 9).addingTimeInterval(64),
                        hangupCause: "NORMAL_CLEARING", durationSec: 64, billableSec: 60))
            #expect(try await calls.find(id: created.id) == created)
            let named = try await calls.create(try Self.newCall(station: StationFactsRequest(name: "pbx-2")))
            #expect(try await calls.find(id: named.id)?.station == StationFacts(name: "pbx-2"))
            #expect(try await calls.create(try Self.newCall()).station == nil)
        }
    }

    @Test(arguments: Kind.underTest)
    func stationFactsAreOneRequestUnderAnIdempotencyKey(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            let station = StationFactsRequest(name: "pbx-1", hangupCause: "NORMAL_CLEARING")
            guard case .created(let first) = try await calls.create(try Self.newCall(station: station), idempotencyKey: "station-key")
            else {
                Issue.record("a new key did not create a call")
                return
            }
            #expect(try await calls.create(try Self.newCall(station: station), idempotencyKey: "station-key") == .replayed(first))
            let otherCause = StationFactsRequest(name: "pbx-1", hangupCause: "USER_BUSY")
            #expect(try await calls.create(try Self.newCall(station: otherCause), idempotencyKey: "station-key") == .keyReused)
            #expect(try await calls.create(try Self.newCall(), idempotencyKey: "station-key") == .keyReused)
        }
    }

    /// A client that learnt to send station facts retries a create that an older one (or an older service)
    /// stored without them: the same call comes back, still without facts; other fields still conflict.
    @Test(arguments: Kind.underTest)
    func aRetryAddingStationFactsToACallStoredWithoutThemIsAReplay(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            guard case .created(let first) = try await calls.create(try Self.newCall(), idempotencyKey: "upgrade-key") else {
                Issue.record("a new key did not create a call")
                return
            }
            let station = StationFactsRequest(name: "pbx-1", hangupCause: "NORMAL_CLEARING")
            #expect(try await calls.create(try Self.newCall(station: station), idempotencyKey: "upgrade-key") == .replayed(first))
            #expect(first.station == nil)
            let otherCall = try Self.newCall(receiver: "+1 555 0199", station: station)
            #expect(try await calls.create(otherCall, idempotencyKey: "upgrade-key") == .keyReused)
        }
    }

    /// Keys stored before calls had station facts hold this fingerprint: a replay after the upgrade must still match.
    @Test func theFingerprintOfACallWithoutStationFactsIsUnchanged() throws {
        let call = try Self.newCall(tags: ["vip", "sales"], callbackURL: "https://example.com/hook")
        let canonical = [call.caller, call.receiver, Timestamp.format(call.startedAt), "vip,sales", "https://example.com/hook"]
            .joined(separator: "\u{1F}")
        #expect(call.fingerprint == Hex.encode(SHA256.hash(data: Data(canonical.utf8))))
    }

    @Test(arguments: Kind.underTest)
    func anIdempotencyKeyReplaysTheSameRequestAndRefusesAnother(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            guard case .created(let first) = try await calls.create(try Self.newCall(), idempotencyKey: "key-1") else {
                Issue.record("a new key did not create a call")
                return
            }
            #expect(try await calls.create(try Self.newCall(), idempotencyKey: "key-1") == .replayed(first))
            #expect(try await calls.create(try Self.newCall(receiver: "+1 555 0199"), idempotencyKey: "key-1") == .keyReused)
            guard case .created(let other) = try await calls.create(try Self.newCall(), idempotencyKey: "key-2") else {
                Issue.record("a second key did not create a call")
                return
            }
            #expect(other.id != first.id)
            // A deleted call frees its key: the same request makes a new call.
            #expect(try await calls.delete(id: first.id) { _ in })
            guard case .created(let again) = try await calls.create(try Self.newCall(), idempotencyKey: "key-1") else {
                Issue.record("the key of a deleted call was not free again")
                return
            }
            #expect(again.id != first.id)
        }
    }

    @Test(arguments: Kind.underTest)
    func listingFiltersOrdersAndCountsLikeTheAPIPromises(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            var ids: [String: UUID] = [:]
            for (name, caller, hour, tags) in [
                ("a", "+7 (900) 111-22-33", 8, ["vip"]), ("b", "+1 555 0199", 9, []), ("c", "+49 30 1234", 10, ["vip"]),
                ("d", "+7 900 111-22-33", 11, []),
            ] {
                ids[name] = try await calls.create(try Self.newCall(caller: caller, hour: hour, tags: tags)).id
            }
            func names(_ query: CallQuery) async throws -> [String] {
                let byID = Dictionary(uniqueKeysWithValues: ids.map { ($1, $0) })
                return try await calls.list(query).items.compactMap { byID[$0.id] }
            }
            #expect(try await names(CallQuery()) == ["d", "c", "b", "a"])
            #expect(try await names(CallQuery(order: .oldestFirst)) == ["a", "b", "c", "d"])
            #expect(try await names(CallQuery(digits: "900111")) == ["d", "a"])
            #expect(try await names(CallQuery(phone: "79001112233")) == ["d", "a"])
            #expect(try await names(CallQuery(phone: "7900111")) == [])
            #expect(try await names(CallQuery(startedFrom: Self.at(hour: 9), startedBefore: Self.at(hour: 11))) == ["c", "b"])
            #expect(try await names(CallQuery(tag: "vip")) == ["c", "a"])
            #expect(try await names(CallQuery(statuses: [.created], tag: "vip", order: .oldestFirst)) == ["a", "c"])
            #expect(try await names(CallQuery(statuses: [.ready])) == [])
            let offsetPage = try await calls.list(CallQuery(limit: 2, offset: 1))
            #expect(offsetPage.total == 4 && !offsetPage.totalIsEstimate)
            #expect(offsetPage.items.map(\.id) == [ids["c"]!, ids["b"]!])
        }
    }

    @Test(arguments: Kind.underTest)
    func cursorPagesCoverEveryCallOnceAndStayPutWhenCallsAreAdded(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            // Two calls at each instant, so the id breaks the ties.
            var created: [UUID] = []
            for hour in [8, 8, 9, 9, 10] { created.append(try await calls.create(try Self.newCall(hour: hour)).id) }
            for order in [CallOrder.newestFirst, .oldestFirst] {
                var seen: [UUID] = []
                var query = CallQuery(order: order, limit: 2)
                var pages = 0
                repeat {
                    let page = try await calls.list(query)
                    #expect(page.total == (pages == 0 ? 5 : 6), "\(order): the call added after the first page counts")
                    seen += page.items.map(\.id)
                    pages += 1
                    if pages == 1 {
                        // Added after the first page, ahead of every listed call in this order: never shifts the pages that follow.
                        _ = try await calls.create(try Self.newCall(hour: order == .newestFirst ? 23 : 1))
                    }
                    guard let next = page.nextCursor else { break }
                    #expect(next.order == order)
                    query.after = next
                } while pages < 10
                #expect(pages == 3, "\(order)")
                #expect(Set(seen) == Set(created), "\(order)")
                #expect(seen.count == 5, "\(order)")
                let all = try await calls.list(CallQuery(order: order, limit: 50))
                #expect(all.nextCursor == nil)
                let startTimes = all.items.map(\.startedAt)
                #expect(startTimes == (order == .newestFirst ? startTimes.sorted(by: >) : startTimes.sorted()), "\(order)")
                // Leave the repository as it was for the other order.
                for extra in all.items where !created.contains(extra.id) { _ = try await calls.delete(id: extra.id) { _ in } }
            }
        }
    }

    @Test(arguments: Kind.underTest)
    func replacingTagsReturnsTheCallAsStoredAndMovesItsUpdateTime(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            let created = try await calls.create(try Self.newCall(tags: ["old"]))
            let updated = try #require(try await calls.updateTags(id: created.id, tags: ["new", "vip"]))
            #expect(updated.tags == ["new", "vip"])
            #expect(updated.updatedAt > created.updatedAt)
            #expect(updated.createdAt == created.createdAt)
            #expect(try await calls.find(id: created.id) == updated)
            #expect(try await calls.updateTags(id: UUID(), tags: ["x"]) == nil)
        }
    }

    @Test(arguments: Kind.underTest)
    func attachingARecordingMovesTheCallToProcessingOnceAndQueuesItsJob(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            let call = try await calls.create(try Self.newCall())
            let recording = Self.newRecording()
            try await calls.registerUpload(storageKey: recording.storageKey)
            _ = try await calls.attachRecording(recording, toCall: call.id, jobPayload: "analyze:\(call.id.lowercasedString)")

            let attached = try #require(try await calls.find(id: call.id))
            #expect(attached.status == .processing)
            #expect(attached.updatedAt > call.updatedAt)
            #expect(attached.recording?.id == recording.id)
            #expect(attached.recording?.sizeBytes == recording.sizeBytes && attached.recording?.sha256 == recording.sha256)
            #expect(attached.recording?.originalAvailable == true && attached.recording?.analysis == nil)
            let byCall = try #require(try await calls.storedRecording(.call(call.id)))
            #expect(byCall.storageKey == recording.storageKey && byCall.callID == call.id && byCall.archive == nil)
            #expect(try await calls.storedRecording(.recording(recording.id)) == byCall)
            #expect(try await calls.storedRecording(.call(UUID())) == nil)
            #expect(try await calls.storedRecording(.recording(UUID())) == nil)
            // The attachment settled the upload's ledger entry.
            #expect(try await calls.abandonedUploads(olderThan: .zero, limit: 10) == [])

            await #expect(throws: AttachRecordingError.recordingExists) {
                try await calls.attachRecording(Self.newRecording(), toCall: call.id, jobPayload: "analyze:again")
            }
            await #expect(throws: AttachRecordingError.callNotFound) {
                try await calls.attachRecording(Self.newRecording(), toCall: UUID(), jobPayload: "analyze:none")
            }
            let published = LockedKeys()
            #expect(try await calls.relay(olderThan: .zero, limit: 10) { batch in batch.forEach(published.append) } == 1)
            #expect(published.keys == ["analyze:\(call.id.lowercasedString)"])
            #expect(try await calls.relay(olderThan: .zero, limit: 10) { _ in } == 0)
        }
    }

    @Test(arguments: Kind.underTest)
    func theOutboxHoldsBackYoungEntriesAndForgetsRemovedOnes(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            var entries: [Int64] = []
            for _ in 0..<3 {
                let call = try await calls.create(try Self.newCall())
                entries.append(try await calls.attachRecording(Self.newRecording(), toCall: call.id, jobPayload: "analyze:\(call.id)"))
            }
            #expect(Set(entries).count == 3)
            // Entries younger than the relay's minimum age belong to uploads still acknowledging them.
            #expect(try await calls.relay(olderThan: .seconds(3_600), limit: 10) { _ in } == 0)
            try await calls.remove(entryIDs: [entries[0]])
            let published = LockedKeys()
            #expect(try await calls.relay(olderThan: .zero, limit: 1) { batch in batch.forEach(published.append) } == 1)
            #expect(try await calls.relay(olderThan: .zero, limit: 10) { batch in batch.forEach(published.append) } == 1)
            #expect(published.keys.count == 2 && Set(published.keys).count == 2)
        }
    }

    @Test(arguments: Kind.underTest)
    func deletingACallRemovesItsStoredObjectsFirstAndEverythingWithIt(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            let call = try await calls.create(try Self.newCall())
            let recording = Self.newRecording()
            _ = try await calls.attachRecording(recording, toCall: call.id, jobPayload: "analyze:\(call.id)")

            struct StorageDown: Error {}
            await #expect(throws: StorageDown.self) { _ = try await calls.delete(id: call.id) { _ in throw StorageDown() } }
            #expect(try await calls.find(id: call.id) != nil, "a failed removal deletes nothing")

            let removed = LockedKeys()
            #expect(try await calls.delete(id: call.id) { removed.append($0) })
            #expect(removed.keys == [recording.storageKey])
            #expect(try await calls.find(id: call.id) == nil)
            #expect(try await calls.storedRecording(.recording(recording.id)) == nil)
            #expect(try await calls.relay(olderThan: .zero, limit: 10) { _ in } == 0, "the job's outbox entry went with it")
            #expect(try await calls.delete(id: call.id) { _ in Issue.record("nothing is left to remove") } == false)
        }
    }

    @Test(arguments: Kind.underTest)
    func callsCreatedBeforeACutoffComeOldestFirst(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            var created: [Call] = []
            for _ in 0..<3 { created.append(try await calls.create(try Self.newCall())) }
            let cutoff = created.map(\.createdAt).max()!.addingTimeInterval(1)
            let ids = try await calls.calls(createdBefore: cutoff, limit: 10)
            #expect(Set(ids) == Set(created.map(\.id)))
            let oldestFirst = created.sorted { $0.createdAt < $1.createdAt }.map(\.id)
            #expect(ids.first == oldestFirst.first)
            #expect(try await calls.calls(createdBefore: cutoff, limit: 2).count == 2)
            #expect(try await calls.calls(createdBefore: created.map(\.createdAt).min()!.addingTimeInterval(-1), limit: 10) == [])
        }
    }

    @Test(arguments: Kind.underTest)
    func theUploadLedgerHandsOutOnlyOldUnattachedUploads(kind: Kind) async throws {
        try await withRepository(kind) { calls in
            let (abandoned, forgotten, attached) = ("2026/11/21/a.wav", "2026/11/21/f.wav", Self.newRecording())
            for key in [abandoned, forgotten, attached.storageKey] { try await calls.registerUpload(storageKey: key) }
            try await calls.registerUpload(storageKey: abandoned)  // registering twice is fine
            try await calls.forgetUpload(storageKey: forgotten)
            try await calls.forgetUpload(storageKey: "2026/11/21/never-registered.wav")
            let call = try await calls.create(try Self.newCall())
            _ = try await calls.attachRecording(attached, toCall: call.id, jobPayload: "analyze:\(call.id)")

            #expect(try await calls.abandonedUploads(olderThan: .seconds(3_600), limit: 10) == [], "too young to be abandoned")
            #expect(try await calls.abandonedUploads(olderThan: .zero, limit: 10) == [abandoned])
            #expect(try await calls.abandonedUploads(olderThan: .zero, limit: 0) == [])
        }
    }

    // MARK: Fixtures

    static func at(hour: Int) -> Date { Timestamp.parse("2026-11-21T\(hour < 10 ? "0" : "")\(hour):30:00.123Z")! }

    static func newCall(
        caller: String = "+7 900 123-45-67", receiver: String = "+44 20 7946 0958", hour: Int = 9, tags: [String] = [],
        callbackURL: String? = nil, station: StationFactsRequest? = nil
    ) throws -> NewCall {
        let request = NewCallRequest(
            caller: caller, receiver: receiver, startedAt: Timestamp.format(at(hour: hour)), tags: tags, callbackUrl: callbackURL,
            station: station)
        return try request.validated(callbacks: CallbackPolicy(signingKey: String(repeating: "k", count: 32)))
    }

    static func newRecording() -> NewRecording {
        let id = UUID()
        return NewRecording(
            id: id, filename: "call.wav", storageKey: "2026/11/21/\(id.lowercasedString).wav", format: .wav, sizeBytes: 32_044,
            sha256: String(repeating: "ab", count: 32), sampleRate: 8_000, channels: 1)
    }

    func withRepository(_ kind: Kind, _ body: @Sendable (any Repository) async throws -> Void) async throws {
        switch kind {
        case .inMemory:
            try await body(InMemoryCallRepository())
        case .postgres:
            try await TestServices.withMigratedDatabase { url in
                try await TestServices.withPostgres(url) { client in
                    try await body(PostgresCallRepository(client: client, logger: TestServices.logger))
                }
            }
        }
    }
}

/// Strings handed to a `@Sendable` closure (storage keys removed, payloads published).
private final class LockedKeys: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ key: String) { storage.withLock { $0.append(key) } }
    var keys: [String] { storage.withLock { $0 } }
}
