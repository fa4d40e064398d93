/// Call ids as the service writes them: UUIDs in their canonical text form, 8-4-4-4-12 hexadecimal digits
/// (either case). An id goes into URL paths (`/calls/{id}/recording`) and requests, so one that is anything
/// else, from a confused answer or a tampered journal, is never used.
enum CallID {
    static func isCanonical(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            let valid =
                [8, 13, 18, 23].contains(index)
                ? byte == UInt8(ascii: "-")
                : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
            guard valid else { return false }
        }
        return true
    }
}

extension AttemptResult where Value == String {
    /// A created call whose id is not a UUID is taken as a fault on the way (a proxy, a service that is not
    /// this one) and retried, like a 2xx whose body is not a call: the create repeats with the same key, which
    /// is harmless, and with `--once` the pair is left for the next run after its attempts.
    func requiringCallID() -> AttemptResult {
        guard case .success(let id) = self, !CallID.isCanonical(id) else { return self }
        return .retry(reason: "the service answered a call id that is not a UUID: '\(id.prefix(80))'", retryAfter: nil)
    }
}
