import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization

/// A CDR consumer on loopback: records every POST to `/cdrs` (its Idempotency-Key, content type and body)
/// and answers as `answer` says; `/elsewhere` counts the requests a followed redirect would make.
final class CdrConsumer: Sendable {
    struct Post: Sendable {
        var key: String?
        var contentType: String?
        var body: Data
        /// The records as JSON objects.
        var records: [[String: Any]] {
            (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? []
        }
        var callIDs: [Int] { records.compactMap { $0["call_id"] as? Int } }
    }

    /// What to answer to the `index`th POST (from 0): a status and a body.
    typealias Answer = @Sendable (_ index: Int, _ post: Post) async -> (HTTPResponse.Status, String)

    let answer: Answer
    private let recorded = Mutex<[Post]>([])
    private let elsewhereHits = Mutex(0)

    init(_ answer: @escaping Answer) {
        self.answer = answer
    }

    var posts: [Post] { recorded.withLock { $0 } }
    var redirectsFollowed: Int { elsewhereHits.withLock { $0 } }

    /// The posts answered 2xx.
    var accepted: [Post] { acceptedPosts.withLock { $0 } }
    private let acceptedPosts = Mutex<[Post]>([])

    /// Runs the consumer for the length of `body`, which gets the URL CDRs are POSTed to.
    func run(_ body: @escaping @Sendable (URL) async throws -> Void) async throws {
        let router = Router()
        router.post("/cdrs") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 16 << 20)
            let post = Post(
                key: request.headers[HTTPField.Name("Idempotency-Key")!], contentType: request.headers[.contentType],
                body: Data(buffer: bytes))
            let index = self.recorded.withLock { posts in
                posts.append(post)
                return posts.count - 1
            }
            let (status, text) = await self.answer(index, post)
            if (200..<300).contains(status.code) { self.acceptedPosts.withLock { $0.append(post) } }
            var headers = HTTPFields()
            if (300..<400).contains(status.code) { headers[.location] = "/elsewhere" }
            return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("/elsewhere") { _, _ -> HTTPResponse.Status in
            self.elsewhereHits.withLock { $0 += 1 }
            return .ok
        }
        try await Application(router: router).test(.live) { client in
            try await body(URL(string: "http://127.0.0.1:\(client.port!)/cdrs")!)
        }
    }
}

/// A switch a test flips while a consumer runs.
final class Flag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }

    func set() { value.withLock { $0 = true } }

    /// Waits until set, at most `seconds`: how a consumer that never answers in time hangs (bounded, so its
    /// server can stop).
    func wait(upTo seconds: Int) async {
        for _ in 0..<(seconds * 20) {
            if isSet { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
