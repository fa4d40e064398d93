import Testing

@testable import StationIngest

@Suite struct IdentityTests {
    static func identity(
        station: String = "pbx 1", directory: String = "/spool/in", fileName: String = "call.json", metadata: String = "{}"
    ) -> PairIdentity {
        PairIdentity(station: station, directory: directory, fileName: fileName, metadataBytes: Array(metadata.utf8))
    }

    @Test func theKeyIsStableShortPrintableAndSeparatesEveryPart() {
        let base = Self.identity()
        #expect(base.idempotencyKey == Self.identity().idempotencyKey)
        // Pinned: a key that changes makes every pair in flight during an upgrade a new call.
        #expect(base.idempotencyKey == "ingest-c4731c096bb2271f6b5facce024acc1a278e120b0d2c86c8cb274adf11b93f09")
        #expect(base.idempotencyKey.utf8.count <= 255)
        #expect(base.idempotencyKey.utf8.allSatisfy { (0x21...0x7E).contains($0) })
        let others = [
            Self.identity(station: "pbx 2"), Self.identity(fileName: "call2.json"), Self.identity(metadata: "{ }"),
            // The same file in another watched directory is another pair.
            Self.identity(directory: "/spool/other"),
            // Moving a character from one part to the next must not give the same key.
            Self.identity(station: "pbx 1c", fileName: "all.json"), Self.identity(directory: "/spool/in/c", fileName: "all.json"),
        ]
        for other in others { #expect(other.idempotencyKey != base.idempotencyKey) }
        #expect(Set(others.map(\.idempotencyKey)).count == others.count)
        let long = PairIdentity(
            station: String(repeating: "ж", count: 500), directory: "/" + String(repeating: "d", count: 4000), fileName: "x",
            metadataBytes: [])
        #expect(long.idempotencyKey.utf8.count <= 255)
    }

    @Test(arguments: ["/spool/in/", "/spool//in", "/spool/./in", "/spool/x/../in", "/spool/in/."])
    func everySpellingOfTheDirectoryGivesOneKey(spelling: String) {
        #expect(Self.identity(directory: spelling).directory == "/spool/in")
        #expect(Self.identity(directory: spelling).idempotencyKey == Self.identity().idempotencyKey)
    }

    @Test func aRelativeDirectoryStartsAtTheWorkingDirectory() {
        #expect(StandardPath.absolute("in", from: "/spool") == "/spool/in")
        #expect(StandardPath.absolute("../in/", from: "/var/spool") == "/var/in")
        #expect(StandardPath.absolute("/", from: "/spool") == "/")
        #expect(StandardPath.absolute("/..", from: "/spool") == "/")
    }

    /// The key of the versions before the directory was part of it, pinned: journals they wrote hold pairs in
    /// flight under it.
    @Test func theKeyWithoutDirectoryIsTheEarlierVersionsKey() {
        #expect(Self.identity().keyWithoutDirectory == "ingest-8ce967da9fc8d84edf1d3f5d7566a441b80be2c660a721845c5cfe9f4b3b5d30")
        #expect(Self.identity(directory: "/elsewhere").keyWithoutDirectory == Self.identity().keyWithoutDirectory)
    }
}
