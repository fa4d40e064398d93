import Foundation

/// Where a finished pair's files go: the done directory (or nowhere, with `--delete`), or the failed directory
/// with `<name>.error.json` beside them. Every step may be repeated after a crash: a file already gone is
/// skipped, and a name already taken in the target gets a numbered twin instead of overwriting it.
public struct PairDisposal: Sendable {
    /// Nil: `done` inside the pair's watched directory.
    public var doneDirectory: String?
    public var failedDirectory: String?
    public var deleteDelivered: Bool

    public init(doneDirectory: String? = nil, failedDirectory: String? = nil, deleteDelivered: Bool = false) {
        self.doneDirectory = doneDirectory
        self.failedDirectory = failedDirectory
        self.deleteDelivered = deleteDelivered
    }

    public func doneDirectory(for pair: TakenPair) -> String { doneDirectory ?? pair.watchDirectory + "/done" }
    public func failedDirectory(for pair: TakenPair) -> String { failedDirectory ?? pair.watchDirectory + "/failed" }

    public func delivered(_ pair: TakenPair) throws {
        // The recording first, the metadata last: the finder works from metadata files, so one left behind by
        // a crash between the two is found again (and moved, its pair being finished), a recording is not.
        let files = (pair.recordingPath.map { [$0] } ?? []) + [pair.metadataPath]
        if deleteDelivered {
            for file in files where FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
            return
        }
        try move(files, to: doneDirectory(for: pair))
    }

    /// Writes the reason before the journal records the refusal, so that a crash in between leaves it for
    /// `failed` to find: the pair is then still in the watched directory, never in the failed one without it.
    public func recordProblem(_ problem: [UInt8], for pair: TakenPair) throws {
        let directory = failedDirectory(for: pair)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(problem).write(to: URL(fileURLWithPath: errorFile(for: pair)), options: .atomic)
    }

    /// Moves the pair beside its error file, writing a plain one when the reason was never written.
    public func failed(_ pair: TakenPair) throws {
        if !FileManager.default.fileExists(atPath: errorFile(for: pair)) {
            try recordProblem(
                ProblemDocument.local(
                    code: "refused", title: "Refused", detail: "refused in an earlier run whose reason was not written before it stopped"),
                for: pair)
        }
        try move((pair.recordingPath.map { [$0] } ?? []) + [pair.metadataPath], to: failedDirectory(for: pair))
    }

    public func errorFile(for pair: TakenPair) -> String {
        failedDirectory(for: pair) + "/" + Self.stem(of: pair.fileName) + ".error.json"
    }

    /// `call-1.json` → `call-1`; `a.cdr.xml` → `a.cdr`.
    static func stem(of fileName: String) -> String {
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return fileName }
        return String(fileName[..<dot])
    }

    private func move(_ files: [String], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for file in files where FileManager.default.fileExists(atPath: file) {
            let name = file.split(separator: "/").last.map(String.init) ?? file
            var target = directory + "/" + name
            var twin = 1
            while FileManager.default.fileExists(atPath: target) {
                target = directory + "/" + Self.stem(of: name) + ".\(twin)" + name.dropFirst(Self.stem(of: name).count)
                twin += 1
            }
            try FileManager.default.moveItem(atPath: file, toPath: target)
        }
    }
}
