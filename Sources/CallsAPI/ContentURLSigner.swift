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
        let code = HMAC<SHA256>.authenticationCode(for: message(recordingID, format, expires), using: key)
        return code.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Constant-time: the comparison takes as long whichever byte differs.
    func isValid(_ signature: String, recordingID: UUID, format: String, expires: Int64) -> Bool {
        guard let bytes = Self.bytes(hex: signature), bytes.count == SHA256.byteCount else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: message(recordingID, format, expires), using: key)
    }

    private func message(_ recordingID: UUID, _ format: String, _ expires: Int64) -> Data {
        Data("\(recordingID.uuidString.lowercased())\n\(format)\n\(expires)".utf8)
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
