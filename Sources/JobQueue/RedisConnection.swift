import CHiredis
import CallsCore

#if canImport(Glibc)
import Glibc
#endif

/// One blocking hiredis connection. hiredis contexts are not thread-safe, so a connection is owned by exactly
/// one `RedisClient`, which only touches it from its single I/O thread. After any connection error the
/// context is dropped and the next command reconnects.
///
/// `@unchecked Sendable` only so it can be handed to that thread: it is confined to it, not shared.
final class RedisConnection: @unchecked Sendable {
    let url: RedisURL
    let socketTimeoutSeconds: Int
    private var context: UnsafeMutablePointer<redisContext>?

    /// For `rediss://`: hiredis reaches the server through it.
    let relay: RedisTLSRelay?

    init(url: RedisURL, socketTimeoutSeconds: Int, relay: RedisTLSRelay? = nil) {
        self.url = url
        self.socketTimeoutSeconds = socketTimeoutSeconds
        self.relay = relay
    }

    deinit {
        disconnect()
    }

    func disconnect() {
        if let context { redisFree(context) }
        context = nil
    }

    func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        let context = try connected()
        let reply = Self.withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(context, argc, argv, lengths)
        }
        guard let reply else {
            let code = errno
            let timedOut = context.pointee.err == REDIS_ERR_IO && (code == EAGAIN || code == EWOULDBLOCK || code == ETIMEDOUT)
            let message = Self.errorText(context) + (relay?.lastConnectionFailure.map { " (TLS relay: \($0))" } ?? "")
            disconnect()
            throw RedisError(.connection, message, unreachable: timedOut)
        }
        defer { freeReplyObject(reply) }
        return try Self.convert(reply.assumingMemoryBound(to: redisReply.self))
    }

    private func connected() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        let timeout = timeval(tv_sec: socketTimeoutSeconds, tv_usec: 0)
        let opened =
            if let relay {
                redisConnectUnixWithTimeout(try relay.socketPath(), timeout)
            } else {
                redisConnectWithTimeout(url.host, Int32(url.port), timeout)
            }
        guard let context = opened else {
            throw RedisError(.connection, "cannot allocate a connection to \(url.host):\(url.port)", unreachable: true)
        }
        if context.pointee.err != 0 {
            let message = Self.errorText(context)
            redisFree(context)
            throw RedisError(.connection, "cannot connect to \(url.host):\(url.port): \(message)", unreachable: true)
        }
        redisSetTimeout(context, timeout)
        self.context = context
        do {
            if let password = url.password { _ = try expectOK(command(["AUTH"] + (url.user.map { [$0] } ?? []) + [password])) }
            if url.database != 0 { _ = try expectOK(command(["SELECT", String(url.database)])) }
        } catch {
            disconnect()
            throw error
        }
        return context
    }

    private func expectOK(_ reply: RedisReply) throws(RedisError) -> RedisReply {
        guard reply.string == "OK" else { throw RedisError(.protocolViolation, "unexpected reply \(reply)") }
        return reply
    }

    private static func withArgv<Result>(
        _ arguments: [String],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) -> Result {
        let storage = arguments.map { Array($0.utf8CString) }
        let lengths = storage.map { $0.count - 1 }
        var pointers: [UnsafePointer<CChar>?] = []
        pointers.reserveCapacity(storage.count)
        func recurse(_ index: Int) -> Result {
            if index == storage.count {
                return pointers.withUnsafeMutableBufferPointer { argv in
                    lengths.withUnsafeBufferPointer { body(Int32(storage.count), argv.baseAddress!, $0.baseAddress!) }
                }
            }
            return storage[index].withUnsafeBufferPointer { buffer in
                pointers.append(buffer.baseAddress)
                return recurse(index + 1)
            }
        }
        return recurse(0)
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) throws(RedisError) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            return .string(text(value.str, value.len))
        case REDIS_REPLY_STATUS:
            return .status(text(value.str, value.len))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(value.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ERROR:
            throw RedisError(.server, text(value.str, value.len))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            for index in 0..<Int(value.elements) {
                guard let element = value.element[index] else { continue }
                elements.append(try convert(element))
            }
            return .array(elements)
        default:
            throw RedisError(.protocolViolation, "unsupported reply type \(value.type)")
        }
    }

    private static func text(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> String {
        guard let pointer else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafePointer(to: context.pointee.errstr) {
            $0.withMemoryRebound(to: CChar.self, capacity: 128) { String(cString: $0) }
        }
    }
}
