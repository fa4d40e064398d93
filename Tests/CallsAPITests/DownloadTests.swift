@testable import CallsAPI
import CallsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite struct DownloadTests {
    struct Fetched {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: Data
        var code: String? { JSONBody(body).problem?.code }
    }

    func uploaded(_ client: any TestClientProtocol, _ wav: Data) async throws -> String {
        let id = try await client.createCall()
        let body = Fixtures.multipart(wav, filename: "Agent \"7\" ü.wav")
        #expect(try await client.upload(body.finished(), contentType: body.contentType, to: id).0 == .accepted)
        return id
    }

    /// The path and query of the download URL the API hands out for the call.
    func contentPath(_ client: any TestClientProtocol, call id: String) async throws -> String {
        let (status, link) = try await client.json(.get, "/calls/\(id)/download", as: DownloadLinkDocument.self)
        #expect(status == .ok)
        #expect(link.format == "original")
        #expect(link.expiresAt.timeIntervalSinceNow > 800 && link.expiresAt.timeIntervalSinceNow <= 901)
        let url = try #require(URLComponents(string: link.url))
        return url.path + "?" + (url.percentEncodedQuery ?? "")
    }

    func fetch(_ client: any TestClientProtocol, _ path: String, range: String? = nil) async throws -> Fetched {
        var headers: HTTPFields = [:]
        if let range { headers[.range] = range }
        return try await client.execute(uri: path, method: .get, headers: headers) { response in
            Fetched(status: response.status, headers: response.headers, body: Data(buffer: response.body))
        }
    }

    @Test func theSignedURLServesTheWholeRecordingWithItsHeaders() async throws {
        try await RouteHarness.run { _, client in
            let wav = Fixtures.wav()
            let id = try await uploaded(client, wav)
            let fetched = try await fetch(client, try await contentPath(client, call: id))
            #expect(fetched.status == .ok)
            #expect(fetched.body == wav)
            #expect(fetched.headers[.contentType] == "audio/wav")
            #expect(fetched.headers[.contentLength] == String(wav.count))
            #expect(fetched.headers[.acceptRanges] == "bytes")
            #expect(fetched.headers[.eTag] == "\"\(RecordingUploadTests.sha256(wav))\"")
            #expect(
                fetched.headers[.contentDisposition]
                    == "attachment; filename=\"Agent _7_ _.wav\"; filename*=UTF-8''Agent%20%227%22%20%C3%BC.wav")
        }
    }

    @Test func rangesServeThePartsAskedFor() async throws {
        try await RouteHarness.run { _, client in
            let wav = Fixtures.wav()
            let size = wav.count
            let path = try await contentPath(client, call: try await uploaded(client, wav))
            let cases: [(String, Range<Int>)] = [
                ("bytes=0-9", 0..<10), ("bytes=100-199", 100..<200), ("bytes=-10", size - 10..<size),
                ("bytes=\(size - 5)-", size - 5..<size), ("bytes=\(size - 3)-\(size + 100)", size - 3..<size),
            ]
            for (range, expected) in cases {
                let fetched = try await fetch(client, path, range: range)
                #expect(fetched.status == .partialContent, "\(range)")
                #expect(fetched.body == wav.subdata(in: expected), "\(range)")
                #expect(fetched.headers[.contentRange] == "bytes \(expected.lowerBound)-\(expected.upperBound - 1)/\(size)")
                #expect(fetched.headers[.contentLength] == String(expected.count))
            }
            for range in ["bytes=\(size)-", "bytes=\(size + 10)-\(size + 20)", "bytes=abc", "bytes=5-2", "items=0-1", "bytes=-0"] {
                let fetched = try await fetch(client, path, range: range)
                #expect(fetched.status == .rangeNotSatisfiable, "\(range)")
                #expect(fetched.headers[.contentRange] == "bytes */\(size)", "\(range)")
                #expect(fetched.code == "range_not_satisfiable")
            }
            // Several ranges at once are answered with the whole recording, as RFC 9110 allows.
            let several = try await fetch(client, path, range: "bytes=0-1,5-6")
            #expect(several.status == .ok && several.body == wav)
        }
    }

    @Test func anExpiredOrTamperedURLIsForbidden() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await uploaded(client, Fixtures.wav())
            let path = try await contentPath(client, call: id)
            let recordingID = try #require(UUID(uuidString: path.split(separator: "/")[1].description))
            let past = Int64(Date().timeIntervalSince1970) - 1
            let expiredSignature = harness.signer.signature(recordingID: recordingID, format: "original", expires: past)
            let expired = "/recordings/\(recordingID.lowercasedString)/content?format=original&expires=\(past)&sig=\(expiredSignature)"
            #expect(try await fetch(client, expired).code == "url_expired")

            var components = try #require(URLComponents(string: path))
            func with(_ name: String, _ value: String?) -> String {
                var copy = components
                copy.queryItems = components.queryItems?.compactMap { $0.name == name ? value.map { .init(name: name, value: $0) } : $0 }
                return copy.path + "?" + (copy.percentEncodedQuery ?? "")
            }
            let signature = try #require(components.queryItems?.first { $0.name == "sig" }?.value)
            let flipped = String(signature.dropLast()) + (signature.hasSuffix("0") ? "1" : "0")
            let expires = try #require(components.queryItems?.first { $0.name == "expires" }?.value.flatMap { Int64($0) })
            for tampered in [
                with("sig", flipped), with("sig", nil), with("sig", "zz"), with("expires", String(expires + 3600)),
                with("format", "mp3"), with("expires", nil),
                path.replacingOccurrences(of: recordingID.lowercasedString, with: UUID().lowercasedString),
            ] {
                let fetched = try await fetch(client, tampered)
                #expect(fetched.status == .forbidden, "\(tampered)")
                #expect(fetched.code == "url_signature_invalid", "\(tampered)")
            }
            components.queryItems = nil
            #expect(try await fetch(client, components.path).code == "url_signature_invalid")
        }
    }

    @Test func aPrivateCallCannotBeDownloadedEvenWithAURLSignedBefore() async throws {
        try await RouteHarness.run { _, client in
            let id = try await uploaded(client, Fixtures.wav())
            let signedBefore = try await contentPath(client, call: id)
            #expect(try await client.json(.patch, "/calls/\(id)", #"{"tags": ["Private"]}"#).0 == .ok)

            let (status, problem) = try await client.json(.get, "/calls/\(id)/download")
            #expect(status == .forbidden && problem.problem?.code == "recording_private")
            let fetched = try await fetch(client, signedBefore)
            #expect(fetched.status == .forbidden && fetched.code == "recording_private")
            #expect(try await fetch(client, signedBefore, range: "bytes=0-9").code == "recording_private")

            #expect(try await client.json(.patch, "/calls/\(id)", #"{"tags": []}"#).0 == .ok)
            #expect(try await fetch(client, signedBefore).status == .ok)
        }
    }

    @Test func whatCannotBeDownloadedSaysWhy() async throws {
        try await RouteHarness.run { _, client in
            let bare = try await client.createCall()
            #expect(try await client.json(.get, "/calls/\(bare)/download").1.problem?.code == "recording_not_found")
            #expect(try await client.json(.get, "/calls/\(UUID().uuidString)/download").1.problem?.code == "call_not_found")
            let id = try await uploaded(client, Fixtures.wav())
            let (mp3Status, mp3) = try await client.json(.get, "/calls/\(id)/download?format=mp3")
            #expect(mp3Status == .notFound && mp3.problem?.code == "archive_not_found")
            let (badStatus, bad) = try await client.json(.get, "/calls/\(id)/download?format=wav")
            #expect(badStatus == .unprocessableContent && bad.problem?.code == "validation_failed")
        }
    }

    @Test func aRecordingWhoseFileIsMissingFromStorageIsNotFound() async throws {
        try await RouteHarness.run { harness, client in
            let id = try await uploaded(client, Fixtures.wav())
            let path = try await contentPath(client, call: id)
            let key = try #require(harness.calls.storageKey(ofCall: UUID(uuidString: id)!))
            try FileManager.default.removeItem(atPath: try harness.store.localPath(forKey: key))
            let fetched = try await fetch(client, path)
            #expect(fetched.status == .notFound && fetched.code == "recording_not_found")
        }
    }

    @Test func aDeletedRecordingsURLIsNotFound() async throws {
        try await RouteHarness.run { _, client in
            let id = try await uploaded(client, Fixtures.wav())
            let path = try await contentPath(client, call: id)
            #expect(try await client.json(.delete, "/calls/\(id)").0 == .noContent)
            let fetched = try await fetch(client, path)
            #expect(fetched.status == .notFound && fetched.code == "recording_not_found")
        }
    }
}
