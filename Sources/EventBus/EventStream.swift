import JobQueue

/// One Redis stream of events and its consumer groups: the event bus of the event side. It knows nothing of
/// what the events mean. Every consumer reads a batch, applies it, and acknowledges it only once its effects
/// are committed (at least once); entries a dead consumer left pending are claimed by a live one; the stream
/// is trimmed only below what every group has acknowledged.
///
/// A blocking read holds its connection for the block time, so a consumer reads through a `RedisClient` of
/// its own.
public struct EventStream: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        /// Nil when the entry was trimmed while still pending (it cannot happen with `trimAcknowledged`).
        public var payload: String?

        public init(id: String, payload: String?) {
            self.id = id
            self.payload = payload
        }
    }

    public let key: String
    let redis: RedisClient

    /// The field every entry keeps its payload in.
    static let field = "e"

    public init(redis: RedisClient, key: String) {
        self.redis = redis
        self.key = key
    }

    /// The stream holds `maxLength` entries or more: its consumers are far behind, and new events wait.
    public struct BacklogFull: Error, Equatable {
        public var length: Int

        public init(length: Int) {
            self.length = length
        }
    }

    /// Appends `payloads` in order, in one round trip, and returns their ids; none of them when the stream
    /// would grow past `maxLength` entries (`BacklogFull`).
    public func append(_ payloads: [String], maxLength: Int = .max) async throws -> [String] {
        guard !payloads.isEmpty else { return [] }
        let reply = try await redis.command(["EVAL", Self.appendScript, "1", key, String(maxLength)] + payloads)
        if let length = reply.integer { throw BacklogFull(length: Int(length)) }
        return reply.array?.compactMap(\.string) ?? []
    }

    /// Checks the length and appends in one step, so concurrent appenders cannot overshoot the cap together.
    static let appendScript = """
        local length = redis.call('XLEN', KEYS[1])
        if length + #ARGV - 1 > tonumber(ARGV[1]) then return length end
        local ids = {}
        for i = 2, #ARGV do
            ids[i - 1] = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i])
        end
        return ids
        """

    public func length() async throws -> Int {
        Int(try await redis.command("XLEN", key).integer ?? 0)
    }

    /// Creates `group` reading from the stream's start, and the stream if there is none yet; an existing
    /// group is left as it is.
    public func createGroup(_ group: String) async throws {
        do {
            try await redis.command("XGROUP", "CREATE", key, group, "0", "MKSTREAM")
        } catch let error as RedisError where error.kind == .server && error.message.contains("BUSYGROUP") {
            return
        }
    }

    /// Entries never delivered to the group, waiting up to `block` for the first.
    public func readNew(group: String, consumer: String, count: Int, block: Duration) async throws -> [Entry] {
        let milliseconds = max(1, Self.milliseconds(block))
        let reply = try await redis.command(
            "XREADGROUP", "GROUP", group, consumer, "COUNT", String(count), "BLOCK", String(milliseconds), "STREAMS", key, ">")
        return Self.entries(ofReadReply: reply)
    }

    /// Entries delivered to this consumer and not acknowledged: what it must apply again after a restart.
    public func readOwnPending(group: String, consumer: String, count: Int) async throws -> [Entry] {
        let reply = try await redis.command("XREADGROUP", "GROUP", group, consumer, "COUNT", String(count), "STREAMS", key, "0")
        return Self.entries(ofReadReply: reply)
    }

    public func acknowledge(group: String, ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await redis.command(["XACK", key, group] + ids)
    }

    /// Takes over entries another consumer of the group has held unacknowledged for at least `minIdle`.
    public func claimIdle(group: String, consumer: String, minIdle: Duration, count: Int) async throws -> [Entry] {
        let milliseconds = Self.milliseconds(minIdle)
        let reply = try await redis.command(
            "XAUTOCLAIM", key, group, consumer, String(milliseconds), "0-0", "COUNT", String(count))
        guard let parts = reply.array, parts.count >= 2, let claimed = parts[1].array else { return [] }
        return claimed.compactMap(Self.entry)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// XREADGROUP's `[[key, [[id, [field, value]], …]]]`, or null when nothing came.
    static func entries(ofReadReply reply: RedisReply) -> [Entry] {
        guard let streams = reply.array, let stream = streams.first?.array, stream.count == 2, let items = stream[1].array
        else { return [] }
        return items.compactMap(entry)
    }

    static func entry(_ item: RedisReply) -> Entry? {
        guard let parts = item.array, let id = parts.first?.string else { return nil }
        var payload: String?
        if parts.count > 1, let fields = parts[1].array {
            for index in stride(from: 0, to: fields.count - 1, by: 2) where fields[index].string == field {
                payload = fields[index + 1].string
            }
        }
        return Entry(id: id, payload: payload)
    }
}
