import S3Client

/// `Content-Disposition: attachment` with a client's file name made safe: an ASCII `filename` for old
/// clients (quotes, backslashes, control and non-ASCII characters replaced) and the exact name, UTF-8 and
/// percent-encoded, in `filename*` (RFC 6266).
public enum ContentDisposition {
    public static func attachment(filename: String) -> String {
        let fallback = String(
            filename.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && scalar.value >= 0x20 && scalar != "\"" && scalar != "\\" && scalar.value != 0x7F
                    ? Character(scalar) : "_"
            })
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(PercentEncoding.encode(filename))"
    }
}
