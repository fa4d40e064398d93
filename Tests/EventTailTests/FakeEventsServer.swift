import Foundation
import Hummingbird
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Serves `api` on 127.0.0.1:`port` while `body` runs.
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
            try await app.runService(gracefulShutdownSignals: [])
            return nil
        }
        for await _ in running { break }
        let result = try await body()
        group.cancelAll()
        return result
    }
}

/// A loopback port nothing listens on now (so the tailer meets "connection refused" until a test serves it).
func freeLoopbackPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
    return Int(UInt16(bigEndian: address.sin_port))
}
