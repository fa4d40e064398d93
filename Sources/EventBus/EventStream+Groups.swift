import Foundation
import JobQueue

extension EventStream {
    public struct GroupState: Sendable, Equatable {
        public var name: String
        /// Delivered to a consumer and not acknowledged.
        public var pending: Int
        /// Not yet delivered to any consumer of the group (nil when Redis cannot tell, after a trim of
        /// unread entries).
        public var lag: Int?
        public var lastDeliveredID: String
        /// The oldest entry the group has not acknowledged, nil when none is pending.
        public var oldestPendingID: String?
    }

    public func groups() async throws -> [GroupState] {
        let reply: RedisReply
        do {
            reply = try await redis.command("XINFO", "GROUPS", key)
        } catch let error as RedisError where error.kind == .server && error.message.contains("no such key") {
            // No stream yet (nothing sent, or Redis lost it): no groups, nothing pending.
            return []
        }
        guard let groups = reply.array else { return [] }
        var states: [GroupState] = []
        for group in groups {
            let fields = Self.dictionary(group)
            guard let name = fields["name"]?.string else { continue }
            let pending = Int(fields["pending"]?.integer ?? 0)
            var oldest: String?
            if pending > 0, let summary = try await redis.command("XPENDING", key, name).array, summary.count >= 2 {
                oldest = summary[1].string
            }
            states.append(
                GroupState(
                    name: name, pending: pending, lag: fields["lag"]?.integer.map(Int.init),
                    lastDeliveredID: fields["last-delivered-id"]?.string ?? "0-0", oldestPendingID: oldest))
        }
        return states
    }

    /// Entries delivered to any consumer of `group` and not acknowledged.
    public func pendingCount(group: String) async throws -> Int {
        do {
            return Int(try await redis.command("XPENDING", key, group).array?.first?.integer ?? 0)
        } catch let error as RedisError where error.kind == .server && error.message.contains("NOGROUP") {
            return 0
        }
    }

    /// Entries of `group` pending before `id` (exclusive) and held by another consumer than `consumer`.
    public func pendingOfOthers(group: String, before id: String, consumer: String, count: Int) async throws -> [String] {
        let reply = try await redis.command("XPENDING", key, group, "-", "(\(id)", String(count))
        return (reply.array ?? []).compactMap { item in
            guard let parts = item.array, parts.count >= 2, let entry = parts[0].string, parts[1].string != consumer else { return nil }
            return entry
        }
    }

    /// Takes over `ids` whoever holds them, in the order given.
    public func claim(group: String, consumer: String, ids: [String]) async throws -> [Entry] {
        guard !ids.isEmpty else { return [] }
        let reply = try await redis.command(["XCLAIM", key, group, consumer, "0"] + ids)
        let claimed = (reply.array ?? []).compactMap(Self.entry)
        let order = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        return claimed.sorted { (order[$0.id] ?? 0) < (order[$1.id] ?? 0) }
    }

    /// Removes the entries every group has acknowledged; with no group, none. Returns how many went.
    @discardableResult
    public func trimAcknowledged() async throws -> Int {
        let groups = try await groups()
        guard !groups.isEmpty else { return 0 }
        let keepFrom = groups.map { $0.oldestPendingID ?? Self.successor(of: $0.lastDeliveredID) }.min(by: Self.precedes)!
        return Int(try await redis.command("XTRIM", key, "MINID", keepFrom).integer ?? 0)
    }

    /// Whether stream id `a` comes before `b` (`ms-seq`, compared as numbers).
    static func precedes(_ a: String, _ b: String) -> Bool {
        parse(a) < parse(b)
    }

    static func successor(of id: String) -> String {
        let (milliseconds, sequence) = parse(id)
        return "\(milliseconds)-\(sequence + 1)"
    }

    static func parse(_ id: String) -> (UInt64, UInt64) {
        let parts = id.split(separator: "-")
        return (UInt64(parts.first ?? "0") ?? 0, parts.count > 1 ? UInt64(parts[1]) ?? 0 : 0)
    }

    /// XINFO's flat `[key, value, key, value, …]`.
    static func dictionary(_ reply: RedisReply) -> [String: RedisReply] {
        guard let items = reply.array else { return [:] }
        var fields: [String: RedisReply] = [:]
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let name = items[index].string { fields[name] = items[index + 1] }
        }
        return fields
    }
}

extension EventStream {
    /// The id of the oldest entry `group` has not acknowledged (pending, or not yet delivered), nil when it
    /// has acknowledged everything. A group that does not exist yet has acknowledged nothing.
    public func oldestUnacknowledgedID(group: String) async throws -> String? {
        guard let state = try await groups().first(where: { $0.name == group }) else {
            return try await firstID(after: nil)
        }
        return try await oldestUnacknowledgedID(of: state)
    }

    /// The same for a group whose state was just read (no second `XINFO GROUPS`).
    public func oldestUnacknowledgedID(of state: GroupState) async throws -> String? {
        if let pending = state.oldestPendingID { return pending }
        return try await firstID(after: state.lastDeliveredID)
    }

    /// The first entry after `id` (exclusive), or the stream's first.
    func firstID(after id: String?) async throws -> String? {
        let reply = try await redis.command("XRANGE", key, id.map { "(\($0)" } ?? "-", "+", "COUNT", "1")
        return reply.array?.first.flatMap(Self.entry)?.id
    }

    /// When the entry was added, by the Redis server's clock (its id's first part).
    public static func addedAt(id: String) -> Date {
        Date(timeIntervalSince1970: Double(parse(id).0) / 1000)
    }
}
