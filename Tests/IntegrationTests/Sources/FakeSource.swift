import CallsCore
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import TestSupport

/// A data source speaking the protocol of issue 17 over a fixed data set: `GET /{collection}?cursor&limit`
/// answers the items after `cursor`, at most `limit`, and `next_cursor` (the last id when the page is full,
/// else null). It records every request, and the most requests of one collection it ever had in flight at
/// once; it can be told to fail in several ways.
final class FakeSource: Sendable {
    enum Fault: Sendable, Equatable {
        case none
        /// Every other request answers 500.
        case failEveryOther
        /// Every other request answers 200 with a body that is not a page.
        case garbageEveryOther
        /// Every other request answers only after `hang` (longer than the fetcher's timeout).
        case hangEveryOther
        /// Every request is redirected to `/moved/...`, which would serve the right page.
        case redirect
    }

    struct Request: Sendable, Equatable {
        var collection: String
        var cursor: Int64
        var limit: Int
        /// What the answer was: "page", "500", "garbage", "hang", "302".
        var outcome: String
    }

    struct State {
        var fault = Fault.none
        var requests: [Request] = []
        var inFlight: [String: Int] = [:]
        var maxInFlight: [String: Int] = [:]
        var movedRequests = 0
        var counters: [String: Int] = [:]
    }

    let items: [SourceCollection: [SourceJSON]]
    let state = Mutex(State())
    /// How long each page takes to answer: long enough that two fetchers at once would overlap.
    let pageDelay: Duration
    let hang: Duration

    init(items: [SourceCollection: [SourceJSON]], fault: Fault = .none, pageDelay: Duration = .zero, hang: Duration = .seconds(3)) {
        self.items = items
        self.pageDelay = pageDelay
        self.hang = hang
        state.withLock { $0.fault = fault }
    }

    var fault: Fault {
        get { state.withLock { $0.fault } }
        set { state.withLock { $0.fault = newValue } }
    }

    var requests: [Request] { state.withLock { $0.requests } }
    var maxInFlight: [String: Int] { state.withLock { $0.maxInFlight } }
    var movedRequests: Int { state.withLock { $0.movedRequests } }

    func page(_ collection: SourceCollection, cursor: Int64, limit: Int) -> String {
        let all = items[collection] ?? []
        let after = all.filter { item in
            if case .integer(let id)? = item.objectValue?[collection.idKey] { return id > cursor }
            return false
        }
        let page = Array(after.prefix(limit))
        var next = SourceJSON.null
        if page.count == limit, let last = page.last?.objectValue?[collection.idKey] { next = last }
        return SourceJSON.object(["results": .array(page), "next_cursor": next]).text
    }

    func answer(collection name: String, cursor: Int64, limit: Int) async -> (status: Int, headers: HTTPFields, body: String) {
        guard let collection = SourceCollection(rawValue: name) else { return (404, [:], "{}") }
        let outcome: String = state.withLock { state in
            state.counters[name, default: 0] += 1
            state.inFlight[name, default: 0] += 1
            state.maxInFlight[name] = max(state.maxInFlight[name] ?? 0, state.inFlight[name]!)
            let odd = state.counters[name]! % 2 == 1
            let outcome: String
            switch state.fault {
            case .none: outcome = "page"
            case .failEveryOther: outcome = odd ? "500" : "page"
            case .garbageEveryOther: outcome = odd ? "garbage" : "page"
            case .hangEveryOther: outcome = odd ? "hang" : "page"
            case .redirect: outcome = "302"
            }
            state.requests.append(Request(collection: name, cursor: cursor, limit: limit, outcome: outcome))
            return outcome
        }
        defer { state.withLock { $0.inFlight[name, default: 1] -= 1 } }
        if pageDelay > .zero { try? await Task.sleep(for: pageDelay) }
        switch outcome {
        case "500": return (500, [:], #"{"error": "boom"}"#)
        case "garbage": return (200, [.contentType: "application/json"], #"{"results": "#)
        case "hang":
            try? await Task.sleep(for: hang)
            return (200, [.contentType: "application/json"], page(collection, cursor: cursor, limit: limit))
        case "302": return (302, [.location: "/moved/\(name)?cursor=\(cursor)&limit=\(limit)"], "")
        default: return (200, [.contentType: "application/json"], page(collection, cursor: cursor, limit: limit))
        }
    }

    /// Serves on a free loopback port while `body` runs, with the base URL to give fetchers.
    func serving<T: Sendable>(_ body: @Sendable (URL) async throws -> T) async throws -> T {
        let router = Router()
        router.get("/:collection") { request, context -> Response in
            let query = request.uri.queryParameters
            let answer = await self.answer(
                collection: try context.parameters.require("collection"), cursor: query.get("cursor").flatMap { Int64($0) } ?? -1,
                limit: query.get("limit").flatMap { Int($0) } ?? 0)
            return Response(
                status: .init(code: answer.status), headers: answer.headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
        router.get("/moved/:collection") { request, context -> Response in
            self.state.withLock { $0.movedRequests += 1 }
            let query = request.uri.queryParameters
            let page = self.page(
                SourceCollection(rawValue: try context.parameters.require("collection")) ?? .calls,
                cursor: query.get("cursor").flatMap { Int64($0) } ?? 0, limit: query.get("limit").flatMap { Int($0) } ?? 0)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        let (ports, started) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in started.yield(channel.localAddress?.port ?? 0) }, logger: TestServices.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                defer { started.finish() }
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var port: Int?
            for await bound in ports {
                port = bound
                break
            }
            guard let port else {
                _ = try await group.next()
                throw SetupError("the fake source did not start")
            }
            do {
                let result = try await body(URL(string: "http://127.0.0.1:\(port)")!)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
