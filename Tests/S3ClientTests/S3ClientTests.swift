import AsyncHTTPClient
import Foundation
import NIOCore
import S3Client
import TestSupport
import Testing

/// The client against a real S3-compatible server (moto, started by `make test` on loopback).
@Suite(.enabled(if: TestBucket.mustRun, "needs CALLS_TEST_S3_ENDPOINT (make test)"))
struct S3ClientTests {
    @Test func objectsGoInComeOutWholeOrByRangeAndGoAway() async throws {
        try await withBucket { client in
            let key = "2026/11/21/\(UUID().uuidString.lowercased()).wav"
            let content = ByteBuffer(bytes: (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try await client.putObject(key: key, body: content, contentType: "audio/wav")

            let info = try #require(try await client.headObject(key: key))
            #expect(info.size == 10_000 && info.contentType == "audio/wav")
            #expect(try await client.getObject(key: key).collected() == content)
            let middle = try await client.getObject(key: key, range: "bytes=100-199")
            #expect(middle.status == 206)
            #expect(try await middle.collected() == content.getSlice(at: 100, length: 100))
            let suffix = try await client.getObject(key: key, range: "bytes=-10")
            #expect(try await suffix.collected() == content.getSlice(at: 9_990, length: 10))

            try await client.deleteObject(key: key)
            #expect(try await client.headObject(key: key) == nil)
            try await client.deleteObject(key: key)
        }
    }

    @Test func aMissingObjectIsNoSuchKeyAndARangePastTheEndIs416() async throws {
        try await withBucket { client in
            await #expect { try await client.getObject(key: "missing.wav") } throws: { error in
                (error as? S3Error)?.code == "NoSuchKey" && (error as? S3Error)?.status == 404
            }
            try await client.putObject(key: "small.wav", body: ByteBuffer(string: "0123456789"), contentType: "audio/wav")
            await #expect { try await client.getObject(key: "small.wav", range: "bytes=50-60") } throws: { error in
                (error as? S3Error)?.status == 416
            }
        }
    }

    @Test func aMultipartUploadAssemblesItsPartsInOrder() async throws {
        try await withBucket { client in
            let first = ByteBuffer(repeating: 0x41, count: 5 * 1024 * 1024)  // S3's smallest part but the last
            let second = ByteBuffer(string: "the end")
            let uploadID = try await client.createMultipartUpload(key: "big.wav", contentType: "audio/wav")
            let secondTag = try await client.uploadPart(key: "big.wav", uploadID: uploadID, partNumber: 2, body: second)
            let firstTag = try await client.uploadPart(key: "big.wav", uploadID: uploadID, partNumber: 1, body: first)
            try await client.completeMultipartUpload(
                key: "big.wav", uploadID: uploadID, parts: [(1, firstTag), (2, secondTag)])
            #expect(try await client.headObject(key: "big.wav")?.size == Int64(first.readableBytes + second.readableBytes))
            #expect(try await client.getObject(key: "big.wav", range: "bytes=-7").collected() == second)
        }
    }

    @Test func anAbortedMultipartUploadLeavesNoObject() async throws {
        try await withBucket { client in
            let uploadID = try await client.createMultipartUpload(key: "gone.wav", contentType: "audio/wav")
            _ = try await client.uploadPart(key: "gone.wav", uploadID: uploadID, partNumber: 1, body: ByteBuffer(string: "x"))
            try await client.abortMultipartUpload(key: "gone.wav", uploadID: uploadID)
            #expect(try await client.headObject(key: "gone.wav") == nil)
            await #expect(throws: S3Error.self) {
                try await client.completeMultipartUpload(key: "gone.wav", uploadID: uploadID, parts: [(1, "\"x\"")])
            }
        }
    }

    @Test func aPresignedURLFetchesTheObjectWithoutCredentials() async throws {
        try await withBucket { client in
            try await client.putObject(key: "shared.mp3", body: ByteBuffer(string: "ID3 audio"), contentType: "audio/mpeg")
            let url = client.presignedGetURL(
                key: "shared.mp3", expires: 300, responseHeaders: [("response-content-disposition", "attachment; filename=\"call.mp3\"")])
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            #expect(response.status == .ok)
            // moto ignores S3's response-* overrides; botocore agrees on how they are signed (SignatureV4Tests).
            #expect(response.headers.first(name: "Content-Type") == "audio/mpeg")
            #expect(try await response.body.collect(upTo: 1024) == ByteBuffer(string: "ID3 audio"))
        }
    }
}

extension S3Download {
    func collected() async throws -> ByteBuffer {
        try await body.collect(upTo: 64 * 1024 * 1024)
    }
}

/// A bucket of its own for each test: names are unique, nothing needs emptying.
func withBucket(_ body: (S3Client) async throws -> Void) async throws {
    try await body(try await TestBucket.make().client)
}
