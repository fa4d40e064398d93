import Foundation
import NIOCore

/// Where recordings live. An upload is written to temporary space first and becomes visible under its final
/// key only by an atomic move, so a reader never sees half a file and a failed upload leaves nothing behind.
public protocol RecordingStore: Sendable {
    /// Starts a temporary file for one upload.
    func makeTemporaryRecording() async throws -> TemporaryRecording
    /// Atomically publishes a finished temporary file under `key`. Fails, and leaves any object already
    /// stored under `key` untouched, if `key` exists.
    func publish(_ temporary: TemporaryRecording, as key: String) async throws
    /// Removes a stored object; removing one that does not exist is not an error.
    func remove(key: String) async throws
    /// Runs `body` with the path of a local file holding the object, for libsndfile to open: the stored file
    /// itself, or a download streamed to a scratch file that is removed afterwards. Throws
    /// `RecordingStoreError` of kind `.notFound` when there is no such object.
    func withLocalFile<T: Sendable>(forKey key: String, _ body: @Sendable (String) async throws -> T) async throws -> T
    /// `length` bytes of the object from `offset`, read a bounded chunk at a time as they are iterated, so a
    /// slow reader holds no more than one chunk. Opening errors (`.notFound`) are thrown here, before any
    /// byte, so an API can still answer with a proper status.
    func read(key: String, offset: Int64, length: Int64) async throws -> StoredBytes
    /// A URL the client can fetch the object from without the API in between (a presigned S3 URL), or nil
    /// when the store has none and the API serves the bytes itself.
    func directDownloadURL(key: String, expiresIn seconds: Int, filename: String, contentType: String) -> String?
    /// Removes scratch files older than `age` left by a process that died mid-upload or mid-analysis;
    /// returns how many.
    func sweepIncoming(olderThan age: TimeInterval) throws -> Int
}

/// The storage key of a recording: `YYYY/MM/DD/<recording-id>.<ext>` by upload date (UTC). Only ids and
/// extensions chosen by the service appear in it, never a client's file name.
public enum RecordingKey {
    public static func make(recordingID: UUID, fileExtension: String, date: Date) -> String {
        let parts = Calendar.utc.dateComponents([.year, .month, .day], from: date)
        let year = String(parts.year ?? 1970)
        let month = parts.month.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "01"
        let day = parts.day.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "01"
        return "\(year)/\(month)/\(day)/\(recordingID.uuidString.lowercased()).\(fileExtension)"
    }

    /// A key is relative, has no empty, `.` or `..` segments and only safe characters.
    public static func isValid(_ key: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./")
        guard !key.isEmpty, key.allSatisfy(allowed.contains) else { return false }
        return key.split(separator: "/", omittingEmptySubsequences: false)
            .allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}

public struct RecordingStoreError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case alreadyExists, invalidKey, notFound, io }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
