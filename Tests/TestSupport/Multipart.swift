import Foundation

/// Builds multipart/form-data bodies the way HTTP clients send them.
public struct MultipartBody: Sendable {
    public let boundary: String
    public private(set) var data = Data()

    public init(boundary: String = "calls-test-\(UUID().uuidString)") {
        self.boundary = boundary
    }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    public mutating func addFile(name: String = "file", filename: String, contentType: String = "audio/wav", content: Data) {
        data.append(Data("--\(boundary)\r\n".utf8))
        data.append(Data("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n".utf8))
        data.append(Data("Content-Type: \(contentType)\r\n\r\n".utf8))
        data.append(content)
        data.append(Data("\r\n".utf8))
    }

    public mutating func addField(name: String, value: String) {
        data.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    public func finished() -> Data {
        data + Data("--\(boundary)--\r\n".utf8)
    }
}
