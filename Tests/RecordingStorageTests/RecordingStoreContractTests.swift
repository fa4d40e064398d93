import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import RecordingStorage
import S3Client
import TestSupport
import Testing

/// The promises of `RecordingStore`, checked with the same assertions on the local store and on the S3 store
/// (against moto, started by `make test`).
@Suite struct RecordingStoreContractTests {
    enum Kind: String, CustomTestStringConvertible, CaseIterable {
        case local, s3
        var testDescription: String { rawValue }

        static var underTest: [Kind] { TestBucket.mustRun ? [.local, .s3] : [.local] }
    }

    @Test(arguments: Kind.underTest)
    func aPublishedRecordingReadsBackByteForByteAndLeavesNoScratchFiles(kind: Kind) async throws {
        try await withStore(kind) { store, scratch in
            // Past the part size on S3, so the multipart path runs too (three parts, the last short).
            for size in [10_000, 2 * Self.partSize + 123] {
                let content = Self.content(size)
                let key = Self.key()
                try await store.publish(try await Self.received(content, by: store), as: key)
                let read = try await store.withLocalFile(forKey: key) { path in try Data(contentsOf: URL(fileURLWithPath: path)) }
                #expect(read == content, "\(size) bytes")
            }
            #expect(Self.scratchFiles(scratch).isEmpty)
        }
    }

    @Test(arguments: Kind.underTest)
    func publishingOverAnExistingKeyFailsAndKeepsTheOriginal(kind: Kind) async throws {
        try await withStore(kind) { store, _ in
            let key = Self.key()
            try await store.publish(try await Self.received(Data("first".utf8), by: store), as: key)
            let second = try await Self.received(Data("second".utf8), by: store)
            await #expect { try await store.publish(second, as: key) } throws: { error in
                (error as? RecordingStoreError)?.kind == .alreadyExists
            }
            second.discard()
            #expect(try await store.withLocalFile(forKey: key) { try Data(contentsOf: URL(fileURLWithPath: $0)) } == Data("first".utf8))
        }
    }

    @Test(arguments: Kind.underTest)
    func aRemovedOrUnknownRecordingIsNotFoundAndRemovingTwiceIsFine(kind: Kind) async throws {
        try await withStore(kind) { store, _ in
            let key = Self.key()
            try await store.publish(try await Self.received(Data("gone soon".utf8), by: store), as: key)
            try await store.remove(key: key)
            try await store.remove(key: key)
            for missing in [key, Self.key()] {
                await #expect { try await store.withLocalFile(forKey: missing) { _ in () } } throws: { error in
                    (error as? RecordingStoreError)?.kind == .notFound
                }
            }
        }
    }

    @Test(arguments: Kind.underTest)
    func keysOutsideTheServicesOwnFormAreRefused(kind: Kind) async throws {
        try await withStore(kind) { store, _ in
            for key in ["../etc/passwd", "/absolute.wav", "a//b.wav", "spaces in.wav"] {
                await #expect { try await store.withLocalFile(forKey: key) { _ in () } } throws: { error in
                    (error as? RecordingStoreError)?.kind == .invalidKey
                }
                await #expect { try await store.remove(key: key) } throws: { error in
                    (error as? RecordingStoreError)?.kind == .invalidKey
                }
            }
        }
    }

    /// A bucket that is not there (a typo in `CALLS_S3_BUCKET`) is an outage to retry, not a missing
    /// recording: a worker must not fail calls for it.
    @Test(.enabled(if: TestBucket.mustRun)) func aMissingBucketIsAnIOErrorNotAMissingRecording() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let existing = try await TestBucket.make().client
        var configuration = existing.configuration
        configuration.bucket = "absent-\(UUID().uuidString.lowercased().prefix(12))"
        let store = try S3RecordingStore(
            client: S3Client(configuration: configuration, http: HTTPClient.shared), scratchDirectory: scratch.path,
            ioPool: pool, partSize: Self.partSize)
        func isIO(_ error: any Error) -> Bool { (error as? RecordingStoreError)?.kind == .io }
        await #expect { try await store.withLocalFile(forKey: Self.key()) { _ in () } } throws: { isIO($0) }
        await #expect { _ = try await store.read(key: Self.key(), offset: 0, length: 10) } throws: { isIO($0) }
        for size in [100, Self.partSize + 1] {
            let temporary = try await Self.received(Self.content(size), by: store)
            await #expect { try await store.publish(temporary, as: Self.key()) } throws: { isIO($0) }
            temporary.discard()
        }
        #expect(Self.scratchFiles(scratch).isEmpty)
        try await pool.shutdownGracefully()
    }

    // MARK: Fixtures

    static let partSize = 5 * 1024 * 1024

    static func key() -> String { "2026/11/21/\(UUID().uuidString.lowercased()).wav" }

    static func content(_ size: Int) -> Data {
        Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) })
    }

    /// An upload as the API receives it: appended in pieces, then finished.
    static func received(_ content: Data, by store: any RecordingStore) async throws -> TemporaryRecording {
        let temporary = try await store.makeTemporaryRecording()
        var offset = 0
        while offset < content.count {
            let end = min(offset + 1_000_000, content.count)
            try await temporary.append(ByteBuffer(bytes: content[offset..<end]))
            offset = end
        }
        _ = try await temporary.finish(inspecting: { _ in () })
        return temporary
    }

    /// Files left in the store's scratch space (the local store keeps its recordings under the same root).
    static func scratchFiles(_ scratch: TemporaryDirectory) -> [String] {
        scratch.files().filter { $0.hasPrefix(".incoming/") || $0.hasPrefix(".downloads/") }
    }

    func withStore(_ kind: Kind, _ body: (any RecordingStore, TemporaryDirectory) async throws -> Void) async throws {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        switch kind {
        case .local:
            try await body(try LocalRecordingStore(root: scratch.path, ioPool: pool), scratch)
        case .s3:
            let client = try await TestBucket.make().client
            try await body(
                try S3RecordingStore(client: client, scratchDirectory: scratch.path, ioPool: pool, partSize: Self.partSize), scratch)
        }
        try await pool.shutdownGracefully()
    }
}
