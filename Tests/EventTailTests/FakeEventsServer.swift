import Foundation
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Serves `api` on 127.0.0.1:`port` while `body` runs; throws when the server cannot start (the port taken).
func servingEvents<T: Sendable>(_ api: FakeEventsAPI, port: Int, _ body: @Sendable () async throws -> T) async throws -> T {
    let router = Router()
    router.post("events") { request, _ -> Response in
        let offset = request.uri.queryParameters.get("offset").flatMap { Int64($0) }
        let body = try await request.body.collect(upTo: 64 << 20)
        let answer = await api.handle(
            offset: offset, authorization: request.headers[.authorization], body: Array(body.readableBytesView))
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: [.contentType: answer.status == 202 ? "application/json" : "application/problem+json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.json)))
    }
    let (running, started) = AsyncStream.makeStream(of: Void.self)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
        onServerRunning: { _ in started.yield() }, logger: testLogger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            defer { started.finish() }
            try await app.runService(gracefulShutdownSignals: [])
            return nil
        }
        var isRunning = false
        for await _ in running {
            isRunning = true
            break
        }
        guard isRunning else {
            _ = try await group.next()
            throw POSIXError(.EADDRINUSE)
        }
        let result = try await body()
        group.cancelAll()
        return result
    }
}

/// A loopback port nothing listens on now (so the tailer meets "connection refused" until a test serves it).
/// Below Linux's ephemeral range (32768 and up), so that no outgoing connection takes it as its own port
/// while the test has not started serving it yet.
func freeLoopbackPort() throws -> Int {
    for _ in 0..<100 {
        let port = Int.random(in: 20_000..<32_000)
        if canBind(port) { return port }
    }
    throw POSIXError(.EADDRNOTAVAIL)
}

private func canBind(_ port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var reuse: Int32 = 1
    setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
