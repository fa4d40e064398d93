import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Finds the bodies MultipartKit 4.7.1 would crash on, before it sees them: its parser looks every byte of a
/// part's header name up in a 128-entry table, so a byte of 0x80 or more there traps (index out of range)
/// and takes the whole API down. This follows the same stream far enough to know where header names are,
/// and reports such a byte so the upload is refused as malformed instead.
///
/// Header sections start after a delimiter line (`--boundary`); the search for delimiters runs with `memchr`
/// and keeps the end of each chunk for a delimiter split across two, so the file's bytes cost next to
/// nothing. Only header lines are walked byte by byte. Any `--boundary` counts as a delimiter, even one the
/// parser would not take (it wants a CRLF before it in the body), which can only make this stricter.
struct MultipartHeaderNameGuard {
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

    private let delimiter: [UInt8]
    private var state = State.scanning
    /// The last bytes seen while scanning, for a delimiter that straddles two chunks.
    private var tail: [UInt8] = []

    init(boundary: String) {
        delimiter = Array("--\(boundary)".utf8)
    }

    /// False once a header name holds a byte that is not ASCII.
    mutating func accepts(_ chunk: ByteBuffer) -> Bool {
        chunk.withUnsafeReadableBytes { bytes in accepts(bytes) }
    }

    private mutating func accepts(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < bytes.count {
            switch state {
            case .scanning:
                guard let end = delimiterEnd(in: bytes, from: index) else {
                    keepTail(bytes, from: index)
                    return true
                }
                tail.removeAll(keepingCapacity: true)
                state = .afterDelimiter(seen: [])
                index = end
            case .afterDelimiter(var seen):
                seen.append(bytes[index])
                index += 1
                if seen.count == 2 {
                    state = seen == [0x0D, 0x0A] ? .headerName(empty: true) : .scanning
                } else {
                    state = .afterDelimiter(seen: seen)
                }
            case .headerName(let empty):
                let byte = bytes[index]
                index += 1
                if byte >= 0x80 { return false }
                if byte == UInt8(ascii: ":") {
                    state = .headerValue
                } else if byte == 0x0D {
                    state = .lineFeed(endsSection: empty)
                } else {
                    state = .headerName(empty: false)
                }
            case .headerValue:
                let byte = bytes[index]
                index += 1
                if byte == 0x0D { state = .lineFeed(endsSection: false) }
            case .lineFeed(let endsSection):
                index += 1
                state = endsSection ? .scanning : .headerName(empty: true)
            }
        }
        return true
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
        tail.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start...]))
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
