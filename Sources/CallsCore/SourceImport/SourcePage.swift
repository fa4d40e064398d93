import Foundation

/// A page that breaks the protocol: nothing of it is taken and the cursor stays where it was.
public struct SourcePageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// One answer of `GET {base}/{collection}?cursor=&limit=`, checked against the protocol: a JSON object with
/// `results` (items sorted by id, every one after the cursor) and `next_cursor` (the last item's id when the
/// page is full, else null). Items are only placed here by their id; what else they hold is checked by
/// `SourceItemValidation`, one item at a time.
public struct SourcePage: Sendable, Equatable {
    public var items: [SourceJSON]
    /// Where the next page starts: the last item's id, or the cursor the page was asked from when it is empty.
    public var cursorAfter: Int64
    /// `next_cursor` was null: nothing more for now, ask again after the poll interval.
    public var caughtUp: Bool

    public static func parse(
        _ body: Data, collection: SourceCollection, cursor: Int64, limit: Int
    ) throws(SourcePageError) -> SourcePage {
        guard let top = try? JSONDecoder().decode(SourceJSON.self, from: body), case .object(let fields) = top else {
            throw SourcePageError("the body is not a JSON object")
        }
        guard case .array(let items)? = fields["results"] else { throw SourcePageError("'results' is not an array") }
        let nextCursor: Int64?
        switch fields["next_cursor"] {
        case .integer(let value)?: nextCursor = value
        case .null?: nextCursor = nil
        case nil: throw SourcePageError("'next_cursor' is missing")
        default: throw SourcePageError("'next_cursor' is neither an integer nor null")
        }
        guard items.count <= limit else { throw SourcePageError("\(items.count) results for a limit of \(limit)") }
        // The id is what the source pages by: an item without one cannot be placed, and skipping it could skip
        // others, so the page as a whole is wrong.
        var last = cursor
        for (index, item) in items.enumerated() {
            guard case .integer(let id)? = item.objectValue?[collection.idKey] else {
                throw SourcePageError("result \(index) has no integer '\(collection.idKey)'")
            }
            guard id > last else {
                throw SourcePageError(
                    index == 0
                        ? "result 0 has \(collection.idKey) \(id), not after the cursor \(cursor)"
                        : "results are not sorted by \(collection.idKey): \(id) follows \(last)")
            }
            last = id
        }
        if let nextCursor {
            // A page shorter than `limit` with a next cursor is taken as full: a source may cap `limit` lower.
            guard !items.isEmpty else { throw SourcePageError("'next_cursor' is \(nextCursor) on an empty page") }
            guard nextCursor == last else {
                throw SourcePageError("'next_cursor' is \(nextCursor) but the last result's id is \(last)")
            }
        }
        return SourcePage(items: items, cursorAfter: last, caughtUp: nextCursor == nil)
    }
}
