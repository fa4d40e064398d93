import Foundation

/// The `X-Calls-Signature` header of a callback: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
/// under `CALLS_CALLBACK_SIGNING_KEY`. Receivers recompute it, compare in constant time, and reject old `t`
/// values to stop replays.
public enum CallbackSignature {
    public static let header = "X-Calls-Signature"

    /// The signed text: the timestamp, a dot, the body.
    public static func message(timestamp: Int64, body: Data) -> Data {
        Data("\(timestamp).".utf8) + body
    }

    public static func headerValue(timestamp: Int64, macHex: String) -> String {
        "t=\(timestamp),v1=\(macHex)"
    }
}
