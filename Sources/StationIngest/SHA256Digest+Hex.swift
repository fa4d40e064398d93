import Crypto

extension SHA256.Digest {
    /// Lowercase hexadecimal: the form of idempotency keys and of the service's `recording.sha256`.
    var hexadecimal: String {
        let digits = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(64)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }
}
