/// `Content-Disposition: attachment` with a client's file name made safe: an ASCII `filename` for old
/// clients (quotes, backslashes, control and non-ASCII characters replaced) and the exact name, UTF-8 and
/// percent-encoded, in `filename*` (RFC 6266).
public enum ContentDisposition {
    public static func attachment(filename: String) -> String {
        let fallback = String(filename.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar.value != 0x7F
                ? Character(scalar) : "_"
        })
        var encoded = ""
        for byte in filename.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(Character(Unicode.Scalar(byte)))
            default:
                encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}
