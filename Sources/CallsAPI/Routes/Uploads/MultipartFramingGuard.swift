import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Follows a multipart body's framing ahead of `MultipartStreamParser` and stops the bodies it must never see:
/// - a header name byte of 0x80 or more (MultipartKit 4.7.1, the parser before, trapped on it; ours refuses
///   it too, and this names the reason);
/// - a part's header section over `maxHeaderSectionBytes`, or with more than `maxHeadersPerPart` lines: the
///   parser keeps a header line until its end arrives, so without this bound a client could make it hold
///   and copy again on every chunk a line without end (quadratic);
/// - more than `maxParts` parts: each costs parser events, and an upload needs only a few.
///
/// Header sections start after a delimiter, CRLF `--boundary`, the same delimiter the parser looks for (the
/// body counts as starting after a CRLF for both), so every header section the parser reads is one this
/// bounds. The search runs with `memchr` on CRs and keeps the end of each chunk for a delimiter split across
/// two, so the file's bytes cost next to nothing. Only header lines are walked byte by byte.
struct MultipartFramingGuard {
    enum Violation: Error, Equatable {
        case nonASCIIHeaderName
        case headerSectionTooLarge
        case tooManyHeaders
        case tooManyParts
    }

    struct Limits: Equatable {
        var maxHeaderSectionBytes = 8 * 1024
        var maxHeadersPerPart = 16
        var maxParts = 16
    }

    private enum State {
        /// Looking for a delimiter.
        case scanning
        /// Just after a delimiter: `--` closes the body, CRLF opens a header section.
        case afterDelimiter(seen: [UInt8])
        case headerName(empty: Bool)
        case headerValue
        /// A CR ended a header line (or the header section, when `endsSection`).
        case lineFeed(endsSection: Bool)
    }

    let limits: Limits
    private let delimiter: [UInt8]
    private var state = State.scanning
    /// The last bytes seen while scanning, for a delimiter that straddles two chunks. It starts as the CRLF
    /// a body's first delimiter may do without.
    private var tail: [UInt8] = [0x0D, 0x0A]
    private var parts = 0
    private var sectionBytes = 0
    private var sectionLines = 0

    /// A delimiter is CRLF `--boundary` (RFC 2046): a boundary cannot hold a CR, so candidates are only the
    /// body's CRs and the search stays linear whatever the boundary, where `--` alone would make every dash of
    /// a dash-only boundary a candidate.
    init(boundary: String, limits: Limits = Limits()) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.limits = limits
    }

    /// Throws the first violation the body shows by the end of `chunk`.
    mutating func inspect(_ chunk: ByteBuffer) throws(Violation) {
        let violation = chunk.withUnsafeReadableBytes { bytes in inspect(bytes) }
        if let violation { throw violation }
    }

    private mutating func inspect(_ bytes: UnsafeRawBufferPointer) -> Violation? {
        var index = 0
        while index < bytes.count {
            if case .scanning = state {
                guard let end = delimiterEnd(in: bytes, from: index) else {
                    keepTail(bytes, from: index)
                    return nil
                }
                tail.removeAll(keepingCapacity: true)
                state = .afterDelimiter(seen: [])
                index = end
                continue
            }
            let byte = bytes[index]
            index += 1
            if case .afterDelimiter(var seen) = state {
                seen.append(byte)
                guard seen.count == 2 else {
                    state = .afterDelimiter(seen: seen)
                    continue
                }
                guard seen == [0x0D, 0x0A] else {
                    state = .scanning
                    continue
                }
                parts += 1
                if parts > limits.maxParts { return .tooManyParts }
                sectionBytes = 0
                sectionLines = 0
                state = .headerName(empty: true)
                continue
            }
            sectionBytes += 1
            if sectionBytes > limits.maxHeaderSectionBytes { return .headerSectionTooLarge }
            switch state {
            case .headerName(let empty):
                if byte >= 0x80 { return .nonASCIIHeaderName }
                if byte == UInt8(ascii: ":") {
                    state = .headerValue
                } else if byte == 0x0D {
                    state = .lineFeed(endsSection: empty)
                } else {
                    state = .headerName(empty: false)
                }
            case .headerValue:
                if byte == 0x0D { state = .lineFeed(endsSection: false) }
            case .lineFeed(let endsSection):
                if endsSection {
                    state = .scanning
                } else {
                    sectionLines += 1
                    if sectionLines > limits.maxHeadersPerPart { return .tooManyHeaders }
                    state = .headerName(empty: true)
                }
            case .scanning, .afterDelimiter:
                break
            }
        }
        return nil
    }

    /// Where the first delimiter ending at or after `start` ends, counting one begun in the previous chunk.
    private func delimiterEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        if start == 0, !tail.isEmpty {
            // A delimiter that began in the tail ends within the first delimiter.count - 1 bytes here.
            let head = Array(UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, delimiter.count - 1)]))
            let joined = tail + head
            if let found = Self.search(delimiter, in: joined), found + delimiter.count > tail.count {
                return found + delimiter.count - tail.count
            }
        }
        guard let base = bytes.baseAddress, bytes.count - start >= delimiter.count else { return nil }
        let last = bytes.count - delimiter.count
        var candidate = start
        // memchr finds each possible first byte at memory speed; only those are compared in full.
        while candidate <= last {
            guard let hit = memchr(base + candidate, Int32(delimiter[0]), last - candidate + 1) else { return nil }
            candidate = base.distance(to: UnsafeRawPointer(hit))
            let matches = delimiter.withUnsafeBytes { needle in memcmp(base + candidate, needle.baseAddress!, needle.count) == 0 }
            if matches { return candidate + delimiter.count }
            candidate += 1
        }
        return nil
    }

    private mutating func keepTail(_ bytes: UnsafeRawBufferPointer, from start: Int) {
        let keep = delimiter.count - 1
        // Only the chunk's last `keep` bytes can matter: copying the whole rest of the chunk first would copy
        // the entire file once more.
        tail.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[max(start, bytes.count - keep)...]))
        if tail.count > keep { tail.removeFirst(tail.count - keep) }
    }

    private static func search(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for offset in 0...(haystack.count - needle.count) where haystack[offset..<(offset + needle.count)].elementsEqual(needle) {
            return offset
        }
        return nil
    }
}
