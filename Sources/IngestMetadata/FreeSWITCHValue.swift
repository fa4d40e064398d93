import Foundation

/// How FreeSWITCH writes channel variables into a `mod_xml_cdr` file and how they read back.
enum FreeSWITCHValue {
    /// Undoes `switch_url_encode`, which `mod_xml_cdr` applies to every variable by default: it writes `%XX`
    /// for controls, non-ASCII bytes and `\r\n "#%&+:;<=>?@[\]^`{|}`, so a space is `%20` and a literal `+` is
    /// `%2B`. Its decoder (`switch_url_decode`) leaves `+` alone and keeps a `%` that is not followed by two
    /// hex digits as it is; this does the same, so values read back as FreeSWITCH itself would read them.
    /// nil when the decoded bytes are not UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        let encoded = Array(text.utf8)
        guard encoded.contains(UInt8(ascii: "%")) else { return text }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(encoded.count)
        var index = 0
        while index < encoded.count {
            if encoded[index] == UInt8(ascii: "%"), index + 2 < encoded.count,
                let high = JSONReader.hexValue(encoded[index + 1]), let low = JSONReader.hexValue(encoded[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(encoded[index])
                index += 1
            }
        }
        return String(validating: decoded, as: UTF8.self)
    }

    /// The latest instant an epoch may name (9999-12-31T23:59:59Z): beyond it dates stop being RFC 3339.
    static let latestEpoch: Int64 = 253_402_300_799

    enum EpochReading: Equatable {
        case absent
        case seconds(Int64)
        case invalid
    }

    /// `start_epoch` and its kin: whole seconds since 1970 in ASCII digits. `0` is how FreeSWITCH says "never"
    /// (an unanswered call's `answer_epoch`). Signs, spaces, fractions and anything past `latestEpoch` are
    /// invalid; the digit count is checked before converting, so no input can overflow.
    static func epoch(_ text: String) -> EpochReading {
        guard let value = wholeNumber(text, maximum: latestEpoch) else { return .invalid }
        return value == 0 ? .absent : .seconds(value)
    }

    /// A non-negative decimal integer of at most `maximum`, or nil.
    static func wholeNumber(_ text: String, maximum: Int64) -> Int64? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let value = digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
        return value <= maximum ? value : nil
    }

    /// FreeSWITCH's `direction` is the channel leg's (`inbound`/`outbound`); `call_direction`, set by dialplans
    /// such as FusionPBX's, is the call's (`inbound`/`outbound`/`local`). Anything else reads as unknown.
    static func normalizedDirection(_ text: String) -> String? {
        switch text.lowercased() {
        case "inbound": "inbound"
        case "outbound": "outbound"
        case "local", "internal": "internal"
        default: nil
        }
    }
}
