/// What a subscriber did: the aggregates count each type apart.
public enum ActivityEventType: String, Sendable, CaseIterable, Hashable, Comparable {
    case callOut = "CALL_OUT"
    case callIn = "CALL_IN"
    case smsSent = "SMS_SENT"
    case smsReceived = "SMS_RECEIVED"
    case data = "DATA"

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
