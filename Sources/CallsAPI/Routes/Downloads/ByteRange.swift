import Foundation

/// The one byte range of a `Range: bytes=…` header: `first-last`, `first-` or `-suffixLength` (RFC 9110).
/// Several ranges in one header are served as the whole object, which the RFC allows.
enum ByteRange: Equatable {
    case whole
    case partial(first: Int64, last: Int64)
    /// Outside the object, or not a byte range at all: 416 with the object's size.
    case unsatisfiable

    init(header: String?, size: Int64) {
        guard let header else {
            self = .whole
            return
        }
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes=") else {
            self = .unsatisfiable
            return
        }
        let spec = text.dropFirst("bytes=".count)
        guard !spec.contains(",") else {
            self = .whole
            return
        }
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else {
            self = .unsatisfiable
            return
        }
        switch (Int64(parts[0]), Int64(parts[1]), parts[0].isEmpty, parts[1].isEmpty) {
        case (let first?, let last?, _, _) where first <= last && first < size && first >= 0:
            self = .partial(first: first, last: min(last, size - 1))
        case (let first?, nil, _, true) where first >= 0 && first < size:
            self = .partial(first: first, last: size - 1)
        case (nil, let suffix?, true, _) where suffix > 0 && size > 0:
            self = .partial(first: max(0, size - suffix), last: size - 1)
        default:
            self = .unsatisfiable
        }
    }
}
