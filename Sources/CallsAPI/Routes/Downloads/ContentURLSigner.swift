import CallsCore
import Crypto
import Foundation

/// Signs and checks the API's own download URLs, `/recordings/{id}/content?format=&expires=&sig=`: an
/// HMAC-SHA256 over the recording, the variant and the expiry, so none of them can be changed.
struct ContentURLSigner: Sendable {
    private let secret: Data

    init(secret: String?) {
        self.secret = secret.map { Data($0.utf8) } ?? SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    private var key: SymmetricKey { SymmetricKey(data: secret) }

    func signature(recordingID: UUID, format: String, expires: Int64) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: message(recordingID, format, expires), using: key))
    }

    /// Constant-time: the comparison takes as long whichever byte differs.
    func isValid(_ signature: String, recordingID: UUID, format: String, expires: Int64) -> Bool {
        guard let bytes = Hex.decode(signature), bytes.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: message(recordingID, format, expires), using: key)
    }

    private func message(_ recordingID: UUID, _ format: String, _ expires: Int64) -> Data {
        Data("\(recordingID.uuidString.lowercased())\n\(format)\n\(expires)".utf8)
    }
}
