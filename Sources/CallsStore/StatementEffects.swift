/// Whether a statement's success must wait for its commit. PostgresNIO ends a statement at its
/// CommandComplete, but a statement outside a transaction commits only at the Sync after it: a server that
/// stops (or a connection that breaks) in between rolls the statement back while the caller already saw it
/// succeed, and acknowledged its stream entries or answered 201. Such statements run inside BEGIN … COMMIT,
/// whose COMMIT answers only once the commit is durable (a real loss, found by the activity test that stops
/// PostgreSQL mid-run). Reads stay single statements: nothing of theirs is lost.
enum StatementEffects {
    /// Words only a statement that may change something holds (matched as whole words, in any case).
    static let changingWords: Set<String> = [
        "insert", "update", "delete", "merge", "create", "drop", "alter", "truncate", "grant", "revoke", "comment",
        "nextval", "setval", "activity_ensure_partition", "pg_advisory_xact_lock", "pg_notify", "refresh", "call", "do",
    ]

    /// True unless every word of `sql` outside its string literals is one a read may hold.
    static func mayChangeData(_ sql: String) -> Bool {
        var word: [UInt8] = []
        var inLiteral = false
        func wordChanges() -> Bool {
            defer { word.removeAll(keepingCapacity: true) }
            guard !word.isEmpty else { return false }
            return changingWords.contains(String(decoding: word, as: UTF8.self))
        }
        for byte in sql.utf8 {
            if byte == UInt8(ascii: "'") {
                if wordChanges() { return true }
                inLiteral.toggle()
                continue
            }
            guard !inLiteral else { continue }
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                word.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                word.append(byte + 32)
            default:
                if wordChanges() { return true }
            }
        }
        return wordChanges()
    }
}
