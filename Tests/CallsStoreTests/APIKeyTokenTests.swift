import CallsStore
import Testing

@Suite struct APIKeyTokenTests {
    @Test func parsesWhatItWrites() throws {
        let token = APIKeyToken.generate()
        #expect(token.text.hasPrefix("calls_") && token.text.utf8.count == 6 + 32 + 1 + 64)
        #expect(APIKeyToken(parsing: Substring(token.text)) == token)
    }

    @Test func matchesOnlyTheDigestOfItsOwnSecret() {
        let token = APIKeyToken.generate()
        #expect(token.matches(storedDigest: token.secretDigest))
        var tampered = token.secretDigest
        tampered[31] ^= 1
        #expect(!token.matches(storedDigest: tampered))
        #expect(!token.matches(storedDigest: Array(token.secretDigest.prefix(16))))
        #expect(!token.matches(storedDigest: APIKeyToken.generate().secretDigest))
    }

    @Test(arguments: [
        "",
        "calls_",
        "calls__",
        "bearer_0123456789abcdef0123456789abcdef_" + String(repeating: "ab", count: 32),
        "calls_0123456789abcdef0123456789abcde_" + String(repeating: "ab", count: 32),  // id one digit short
        "calls_0123456789abcdef0123456789abcdefg_" + String(repeating: "ab", count: 32),
        "calls_0123456789abcdef0123456789abcdef_" + String(repeating: "ab", count: 31),  // secret a byte short
        "calls_0123456789abcdef0123456789abcdef_" + String(repeating: "zz", count: 32),
        "calls_0123456789abcdef0123456789abcdef_" + String(repeating: "ab", count: 32) + "_",
        "calls_0123456789abcdef0123456789abcdef " + String(repeating: "ab", count: 32),
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(APIKeyToken(parsing: Substring(text)) == nil)
    }
}
