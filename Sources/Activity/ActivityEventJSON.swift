import CallsCore
import Foundation

/// Reads subscriber events sent as JSON (an array, or one object per line) and checks each on its own: a
/// malformed or invalid event is refused by its index with the reason, the others are taken.
public enum ActivityEventJSON {
    public struct Rejection: Sendable, Equatable {
        /// 0-based index in the array, or 0-based line of an NDJSON body.
        public var index: Int
        public var reason: String

        public init(index: Int, reason: String) {
            self.index = index
            self.reason = reason
        }
    }

    public static let maxUserIDLength = 64
    /// Source and event ids: a UUID fits many times over; longer is not an id.
    public static let maxIDLength = 128
    public static let maxMetaBytes = 4096
    /// A year and a day: no call or data session lasts longer. With `maxBytes`, what keeps one batch's sums
    /// within 64 bits (a cell that many batches fill saturates: `PostgresActivityWrites.saturatingSums`).
    public static let maxDurationSeconds: Int64 = 366 * 86_400
    /// One pebibyte.
    public static let maxBytes: Int64 = 1 << 50
    /// A larger item is refused without being decoded: every field at its longest fits well within.
    public static let maxItemBytes = 64 * 1024

    /// The events of `body` received at `now` whose start lies in `window`, and the refusals; throws only for
    /// a body that is not JSON items at all.
    public static func parse(
        _ body: [UInt8], now: Date, window: ActivityTimeWindow
    ) throws(JSONBodyItems.BodyError) -> (events: [ActivityEvent], rejections: [Rejection]) {
        let items = try JSONBodyItems.items(body)
        var events: [ActivityEvent] = []
        events.reserveCapacity(items.count)
        var rejections: [Rejection] = []
        for (index, item) in items.enumerated() where !JSONBodyItems.isBlank(item) {
            guard item.count <= maxItemBytes else {
                rejections.append(Rejection(index: index, reason: "larger than \(maxItemBytes) bytes, more than an event can be"))
                continue
            }
            switch event(item, receivedAt: now, window: window) {
            case .success(let event): events.append(event)
            case .failure(let refusal): rejections.append(Rejection(index: index, reason: refusal.reason))
            }
        }
        return (events, rejections)
    }

    struct Refusal: Error, Equatable {
        var reason: String
    }

    /// One item read (in one pass, see `ActivityEventReader`) and checked.
    static func event(_ item: ArraySlice<UInt8>, receivedAt: Date, window: ActivityTimeWindow) -> Result<ActivityEvent, Refusal> {
        guard let wire = ActivityEventReader.wire(item) else { return .failure(Refusal(reason: "not a JSON object")) }
        do {
            return .success(try wire.event(receivedAt: receivedAt, window: window))
        } catch {
            return .failure(error)
        }
    }
}
