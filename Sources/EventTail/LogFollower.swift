import Logging

/// Follows a queue_log like `tail -F`, by polling: hands out complete lines with their logical offsets, holds
/// every generation the path has named open until it is finished, and starts the next generation (or the
/// truncated file again from byte 0) only when asked, so that the caller can first get every line of the old
/// one acknowledged and record the switch durably. No I/O but the log's own; the caller decides when to poll.
public final class LogFollower {
    /// At most this many bytes can have been sent without an acknowledgement (one batch: `--batch-bytes` is
    /// capped to it). A generation that follows one lost while the tailer was down starts this far past the
    /// remembered offset, beyond any line of the lost one that may have been sent.
    public static let unacknowledgedGap: Int64 = 16 << 20

    public let path: String
    public let maxLineBytes: Int
    let logger: Logger

    var current: OpenGeneration?
    /// Generations that took the path's name after the current one, oldest first.
    var upcoming: [OpenGeneration] = []
    var base: Int64
    /// In the current generation: after the last complete line handed out.
    var position: Int64 = 0
    /// In the current generation: how far it has been read.
    var scanned: Int64 = 0
    /// The bytes between `position` and `scanned`, a line still being written (empty while skipping one).
    var partial: [UInt8] = []
    var skippingLongLine = false
    /// The current generation shrank below what was read (copytruncate).
    var truncated = false
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// The current generation's fingerprint, computed again only while it covers fewer bytes than it can.
    private var fingerprint: Fingerprint?

    init(path: String, maxLineBytes: Int, logger: Logger, base: Int64) {
        self.path = path
        self.maxLineBytes = maxLineBytes
        self.logger = logger
        self.base = base
    }

    /// Where the follower is now: the current generation and the position after the last line handed out.
    public var tailPosition: TailPosition? {
        get throws {
            guard let current else { return nil }
            return TailPosition(identity: current.identity, position: position, base: base, fingerprint: try fingerprint(upTo: position))
        }
    }

    private func fingerprint(upTo end: Int64) throws -> Fingerprint {
        let length = Int(min(end, Int64(Fingerprint.maxLength)))
        if let fingerprint, fingerprint.length == length { return fingerprint }
        let computed = try current!.fingerprint(length: Int64(length))
        fingerprint = computed
        return computed
    }

    /// Complete lines read from the current generation, up to about `maxBytes` (the last chunk read is finished).
    /// Never crosses into another generation: see `startNextGenerationIfDone()`.
    public func read(maxBytes: Int) throws -> [TailLine] {
        try noteNewGenerations()
        guard let current, !truncated else { return [] }
        var lines: [TailLine] = []
        var bytes = 0
        while bytes < maxBytes {
            let count = try current.read(into: &buffer, at: scanned)
            if count == 0 {
                if try current.size() < scanned {
                    truncated = true
                    logger.notice(
                        "log truncated (copytruncate?): it goes on from byte 0", metadata: ["offset": "\(base + scanned)"])
                }
                break
            }
            bytes += try split(count, from: current, into: &lines)
        }
        return lines
    }

    /// Splits the `count` bytes just read into lines; returns how many bytes of complete lines it handed out.
    private func split(_ count: Int, from generation: OpenGeneration, into lines: inout [TailLine]) throws -> Int {
        var handedOut = 0
        var start = 0
        while let newline = buffer[start..<count].firstIndex(of: UInt8(ascii: "\n")) {
            let lineStart = position
            let end = scanned + Int64(newline + 1)
            if skippingLongLine {
                skippingLongLine = false
                logSkipped(at: lineStart, length: end - lineStart)
            } else {
                var bytes = partial
                partial = []
                bytes += buffer[start...newline]
                if bytes.count > maxLineBytes {
                    logSkipped(at: lineStart, length: Int64(bytes.count))
                } else {
                    handedOut += bytes.count
                    lines.append(
                        TailLine(
                            offset: base + lineStart, bytes: bytes,
                            after: TailPosition(
                                identity: generation.identity, position: end, base: base, fingerprint: try fingerprint(upTo: end))))
                }
            }
            position = end
            start = newline + 1
        }
        if !skippingLongLine {
            partial += buffer[start..<count]
            if partial.count > maxLineBytes {
                skippingLongLine = true
                partial = []
            }
        }
        scanned += Int64(count)
        return handedOut
    }

    private func logSkipped(at position: Int64, length: Int64) {
        logger.error(
            "line longer than \(maxLineBytes) bytes skipped", metadata: ["offset": "\(base + position)", "bytes": "\(length)"])
    }

    /// When the current generation is finished (read to its end and the path names a newer file with something in
    /// it, or truncated), continues in the next one and returns the position to record; nil when there is nothing
    /// new. Call it only once every line handed out is acknowledged.
    public func startNextGenerationIfDone() throws -> TailPosition? {
        try noteNewGenerations()
        guard let current else {
            guard !upcoming.isEmpty else { return nil }
            self.current = upcoming.removeFirst()
            restart(at: 0)
            return try tailPosition
        }
        if truncated {
            // Past everything read before: a line of the old content may have been sent and not acknowledged.
            base += scanned
            restart(at: 0)
            return try tailPosition
        }
        guard let next = upcoming.first, try current.size() == scanned, try next.size() > 0 || upcoming.count > 1 else {
            return nil
        }
        if !partial.isEmpty || skippingLongLine {
            logger.warning("rotated log ended in an incomplete line: dropped", metadata: ["offset": "\(base + position)"])
        }
        logger.info("log rotated: following the new file", metadata: ["offset": "\(base + scanned)"])
        base += scanned
        self.current = upcoming.removeFirst()
        restart(at: 0)
        return try tailPosition
    }

    func restart(at start: Int64) {
        position = start
        scanned = start
        partial = []
        skippingLongLine = false
        truncated = false
        fingerprint = nil
    }

    /// Opens the file the path names when it is one not seen yet: a rotation. Kept open so that it can still be
    /// read if it is rotated away again before the current generation is finished.
    func noteNewGenerations() throws {
        guard let status = FileStatus.at(path), status.isRegularFile else { return }
        let known = (current.map { [$0.identity] } ?? []) + upcoming.map(\.identity)
        guard !known.contains(status.identity), let opened = try OpenGeneration(path: path),
            !known.contains(opened.identity)
        else { return }
        upcoming.append(opened)
    }
}
