/// The bytes around a file sent as the multipart field `file`, which the upload route reads.
struct MultipartFraming: Sendable {
    let boundary: String
    let prefix: [UInt8]
    let suffix: [UInt8]

    init(fileName: String, boundary: String = "calls-ingest-" + String(UInt64.random(in: .min ... .max), radix: 36)) {
        self.boundary = boundary
        // The name is for display only; quotes and line breaks would break the header, so they are replaced.
        let safeName = String(fileName.map { "\"\\\r\n".contains($0) ? "_" : $0 })
        prefix = Array(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(safeName)\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").utf8)
        suffix = Array("\r\n--\(boundary)--\r\n".utf8)
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }
}
