import CallsCore
import Foundation
import NIOCore
import NIOPosix
import S3Client

/// Recordings in an S3-compatible bucket, shared by every API and worker node. Uploads are received into a
/// local scratch directory first (so a failed upload never reaches the bucket), then sent whole or, past
/// `partSize`, as a multipart upload read from the file one part at a time: memory per upload stays one part.
/// The analysis reads a download streamed to a scratch file, removed afterwards.
public struct S3RecordingStore: RecordingStore {
    public let client: S3Client
    private let incoming: String
    private let downloads: String
    private let ioPool: NIOThreadPool
    /// S3 wants parts of at least 5 MiB (except the last).
    let partSize: Int

    /// `scratchDirectory` holds uploads being received and downloads being analysed; `ioPool` must be started
    /// and outlive the store.
    public init(client: S3Client, scratchDirectory: String, ioPool: NIOThreadPool, partSize: Int = 8 * 1024 * 1024) throws {
        self.client = client
        let root = URL(fileURLWithPath: scratchDirectory).standardizedFileURL.path
        incoming = root + "/.incoming"
        downloads = root + "/.downloads"
        self.ioPool = ioPool
        self.partSize = partSize
        for directory in [incoming, downloads] {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw RecordingStoreError(.io, "cannot create the scratch directory \(directory): \(error)")
            }
        }
    }

    public func makeTemporaryRecording() async throws -> TemporaryRecording {
        TemporaryRecording(path: "\(incoming)/\(UUID().uuidString.lowercased()).part", ioPool: ioPool)
    }

    public func publish(_ temporary: TemporaryRecording, as key: String) async throws {
        try Self.validate(key)
        // Keys carry a fresh recording id, so this only guards against a bug, not a race.
        if try await storageCall({ try await client.headObject(key: key) }) != nil {
            throw RecordingStoreError(.alreadyExists, "\(key) already exists")
        }
        let file = try await ioPool.runIfActive { try FileReader(path: temporary.path) }
        defer { file.close() }
        let contentType = Self.contentType(forKey: key)
        if file.size <= Int64(partSize) {
            let body = try await ioPool.runIfActive { try file.read(count: Int(file.size)) }
            try await storageCall { try await client.putObject(key: key, body: body, contentType: contentType) }
        } else {
            try await uploadInParts(file, key: key, contentType: contentType)
        }
        temporary.discard()
    }

    private func uploadInParts(_ file: FileReader, key: String, contentType: String) async throws {
        let uploadID = try await storageCall { try await client.createMultipartUpload(key: key, contentType: contentType) }
        do {
            var parts: [(number: Int, etag: String)] = []
            while true {
                let size = partSize
                let part = try await ioPool.runIfActive { try file.read(count: size) }
                guard part.readableBytes > 0 else { break }
                let number = parts.count + 1
                let etag = try await storageCall {
                    try await client.uploadPart(key: key, uploadID: uploadID, partNumber: number, body: part)
                }
                parts.append((number, etag))
            }
            try await storageCall { try await client.completeMultipartUpload(key: key, uploadID: uploadID, parts: parts) }
        } catch {
            // Parts of an unfinished upload are billed and invisible: abandon them explicitly.
            try? await client.abortMultipartUpload(key: key, uploadID: uploadID)
            throw error
        }
    }

    public func remove(key: String) async throws {
        try Self.validate(key)
        try await storageCall { try await client.deleteObject(key: key) }
    }

    public func withLocalFile<T: Sendable>(forKey key: String, _ body: @Sendable (String) async throws -> T) async throws -> T {
        try Self.validate(key)
        let path = "\(downloads)/\(UUID().uuidString.lowercased())-\((key as NSString).lastPathComponent)"
        defer { unlink(path) }
        let download: S3Download
        do {
            download = try await client.getObject(key: key)
        } catch let error as S3Error where error.code == "NoSuchKey" {
            throw RecordingStoreError(.notFound, "the recording \(key) is missing from storage")
        } catch {
            throw RecordingStoreError(.io, "cannot read \(key) from the bucket: \(error)")
        }
        let writer = try await ioPool.runIfActive { try FileWriter(path: path) }
        defer { writer.close() }
        do {
            for try await chunk in download.body {
                try await ioPool.runIfActive { try writer.write(chunk) }
            }
        } catch let error as RecordingStoreError {
            throw error
        } catch {
            throw RecordingStoreError(.io, "the download of \(key) broke off: \(error)")
        }
        return try await body(path)
    }

    public func read(key: String, offset: Int64, length: Int64) async throws -> StoredBytes {
        try Self.validate(key)
        guard length > 0 else { return StoredBytes { nil } }
        let download: S3Download
        do {
            download = try await client.getObject(key: key, range: "bytes=\(offset)-\(offset + length - 1)")
        } catch let error as S3Error where error.code == "NoSuchKey" {
            throw RecordingStoreError(.notFound, "the recording \(key) is missing from storage")
        } catch {
            throw RecordingStoreError(.io, "cannot read \(key) from the bucket: \(error)")
        }
        let body = BodyCursor(download.body)
        return StoredBytes {
            do {
                return try await body.next()
            } catch {
                throw RecordingStoreError(.io, "the download of \(key) broke off: \(error)")
            }
        }
    }

    public func directDownloadURL(key: String, expiresIn seconds: Int, filename: String, contentType: String) -> String? {
        client.presignedGetURL(
            key: key, expires: seconds,
            responseHeaders: [
                ("response-content-disposition", ContentDisposition.attachment(filename: filename)),
                ("response-content-type", contentType),
            ])
    }

    public func sweepIncoming(olderThan age: TimeInterval) throws -> Int {
        try ScratchFiles.sweep(incoming, olderThan: age) + ScratchFiles.sweep(downloads, olderThan: age)
    }

    /// Storage failures are reported as `.io` errors: the API answers 503, the worker retries in place.
    private func storageCall<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as RecordingStoreError {
            throw error
        } catch {
            throw RecordingStoreError(.io, "the bucket did not take the request: \(error)")
        }
    }

    private static func validate(_ key: String) throws {
        guard RecordingKey.isValid(key) else { throw RecordingStoreError(.invalidKey, "invalid storage key \(key)") }
    }

    static func contentType(forKey key: String) -> String {
        let fileExtension = (key as NSString).pathExtension.lowercased()
        return (AudioFormat.allCases.first { $0.fileExtension == fileExtension } ?? .other).mimeType
    }
}
