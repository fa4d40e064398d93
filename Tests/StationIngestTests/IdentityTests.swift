import Testing

@testable import StationIngest

@Suite struct IdentityTests {
    @Test func theKeyIsStableShortPrintableAndSeparatesEveryPart() {
        let base = PairIdentity(station: "pbx 1", fileName: "call.json", metadataBytes: Array("{}".utf8))
        #expect(
            base.idempotencyKey == PairIdentity(station: "pbx 1", fileName: "call.json", metadataBytes: Array("{}".utf8)).idempotencyKey)
        #expect(base.idempotencyKey.utf8.count <= 255)
        #expect(base.idempotencyKey.utf8.allSatisfy { (0x21...0x7E).contains($0) })
        let others = [
            PairIdentity(station: "pbx 2", fileName: "call.json", metadataBytes: Array("{}".utf8)),
            PairIdentity(station: "pbx 1", fileName: "call2.json", metadataBytes: Array("{}".utf8)),
            PairIdentity(station: "pbx 1", fileName: "call.json", metadataBytes: Array("{ }".utf8)),
            // Moving a character from one part to the next must not give the same key.
            PairIdentity(station: "pbx 1c", fileName: "all.json", metadataBytes: Array("{}".utf8)),
        ]
        for other in others { #expect(other.idempotencyKey != base.idempotencyKey) }
        let long = PairIdentity(station: String(repeating: "ж", count: 500), fileName: "x", metadataBytes: [])
        #expect(long.idempotencyKey.utf8.count <= 255)
    }
}
