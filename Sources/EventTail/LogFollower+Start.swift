import Foundation
import Logging

extension LogFollower {
    /// Decides where to start from the state (`remembered`, nil without a state file) and what is on disk now:
    /// - the remembered generation is still at the path: resume at the remembered position (truncated below it
    ///   while the tailer was down: start again at 0, `unacknowledgedGap` past the remembered offset);
    /// - it was rotated away but is still in the log's directory (`FILE.1`, `FILE-20261130`, found by inode):
    ///   finish it from the remembered position, then go on with the file at the path, as after a live rotation;
    /// - it is gone: the file at the path starts at 0, `unacknowledgedGap` past the remembered offset.
    /// `beginning` and `end` then move to the start or the end of the file at the path (same offsets as
    /// `remembered` would give its lines, so lines sent again are duplicates the API ignores).
    public convenience init(path: String, start: StartMode, remembered: TailPosition?, maxLineBytes: Int, logger: Logger) throws {
        self.init(path: path, maxLineBytes: maxLineBytes, logger: logger, base: remembered?.base ?? 0)
        if let remembered {
            try resume(remembered)
        } else {
            current = try OpenGeneration(path: path)
        }
        try noteNewGenerations()
        guard start != .remembered else { return }
        if let current, let next = upcoming.first, current.identity != FileStatus.at(path)?.identity {
            base += try current.size()
            self.current = next
            upcoming.removeFirst()
        }
        guard let current else { return }
        let end = try current.endOfLastLine(before: current.size())
        restart(at: start == .end ? end : 0)
    }

    private func resume(_ remembered: TailPosition) throws {
        if let atPath = FileStatus.at(path), atPath.identity == remembered.identity {
            current = try OpenGeneration(path: path)
            if let current, try Self.isRemembered(current, remembered) {
                restart(at: remembered.position)
                return
            }
            logger.warning(
                "the log is shorter than the remembered position or begins differently (truncated or replaced while stopped): starting again at byte 0",
                metadata: ["offset": "\(remembered.offset)"])
        } else if let rotated = rotatedGeneration(remembered.identity),
            let generation = try OpenGeneration(path: rotated), try Self.isRemembered(generation, remembered)
        {
            logger.info("log rotated while stopped: finishing \(rotated) first", metadata: ["offset": "\(remembered.offset)"])
            current = generation
            restart(at: remembered.position)
            return
        } else {
            logger.warning(
                "the remembered log file is gone (rotated away while stopped): lines after the remembered offset in it are lost",
                metadata: ["offset": "\(remembered.offset)"])
            current = try OpenGeneration(path: path)
        }
        base = remembered.offset + Self.unacknowledgedGap
        restart(at: 0)
    }

    /// Same inode, at least as long, same first bytes: the inode number alone may have been reused.
    private static func isRemembered(_ generation: OpenGeneration, _ remembered: TailPosition) throws -> Bool {
        guard generation.identity == remembered.identity, try generation.size() >= remembered.position else { return false }
        return try generation.fingerprint(length: Int64(remembered.fingerprint.length)) == remembered.fingerprint
    }

    /// A file beside the log whose name starts with the log's and which is the generation `identity`.
    private func rotatedGeneration(_ identity: FileIdentity) -> String? {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        for entry in entries.sorted() where entry.hasPrefix(name) && entry != name {
            let candidate = (directory.isEmpty ? "" : directory + "/") + entry
            if let status = FileStatus.at(candidate), status.isRegularFile, status.identity == identity { return candidate }
        }
        return nil
    }
}
