import HTTPTypes
import Hummingbird

/// The `Idempotency-Key` request header and its `Idempotency-Replayed` answer.
enum IdempotencyKeyHeader {
    static let name = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotency-Replayed")!

    /// The key, nil without one; 422 for a key that is empty, longer than 255 characters or not printable
    /// ASCII (a UUID or any random token fits).
    static func value(of request: Request) throws -> String? {
        try validated(request.headers[name], field: "Idempotency-Key")
    }

    /// The same rule for a key that came another way (gRPC's `idempotency_key`), reported as `field`.
    static func validated(_ key: String?, field: String) throws -> String? {
        guard let key else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.validation(field: field, "must be 1 to 255 printable ASCII characters without spaces")
        }
        return key
    }
}
