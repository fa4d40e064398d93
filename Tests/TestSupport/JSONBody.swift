import CallsCore
import Foundation
import NIOCore

/// A response body, read as one of the API's documents on demand. Prints as its text, so a failed
/// expectation shows what the service answered.
public struct JSONBody: Sendable, CustomStringConvertible {
    public let data: Data

    public init(_ data: Data) { self.data = data }
    public init(_ buffer: ByteBuffer) { self.data = Data(buffer: buffer) }

    /// The body as `T`, in the service's JSON dialect (snake_case keys, RFC 3339 dates).
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        do {
            return try JSONCoding.makeDecoder().decode(type, from: data)
        } catch {
            throw UndecodableBody(type: "\(T.self)", body: description, underlying: error)
        }
    }

    /// The body as a problem document; nil when it is not one.
    public var problem: ProblemDocument? { try? decode(ProblemDocument.self) }

    public var description: String { String(decoding: data, as: UTF8.self) }
}

public struct UndecodableBody: Error, CustomStringConvertible {
    public var type: String
    public var body: String
    public var underlying: any Error

    public var description: String { "the body is not a \(type) (\(underlying)): \(body.prefix(2_000))" }
}
