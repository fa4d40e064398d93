@testable import CallsStore
import Foundation
import Testing

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsBetweenStatements() {
        let statements = SQLScript.statements(
            """
            -- leading comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'a;b');
            /* block; comment */ CREATE INDEX a_x ON a (x);

            INSERT INTO a VALUES ('it''s; fine');
            """)
        #expect(
            statements == [
                "-- leading comment; with a semicolon\nCREATE TABLE a (x text DEFAULT 'a;b')",
                "/* block; comment */ CREATE INDEX a_x ON a (x)",
                "INSERT INTO a VALUES ('it''s; fine')",
            ])
    }

    @Test func keepsDollarQuotedBodiesWhole() {
        let body = """
            CREATE FUNCTION f() RETURNS trigger AS $fn$
            BEGIN NEW.updated_at = now(); RETURN NEW; END;
            $fn$ LANGUAGE plpgsql
            """
        #expect(SQLScript.statements(body + ";\nSELECT $$a;b$$;") == [body, "SELECT $$a;b$$"])
    }

    @Test func ignoresTrailingCommentsAndBlankStatements() {
        #expect(SQLScript.statements("SELECT 1;;\n-- the end\n") == ["SELECT 1"])
    }

    @Test func theShippedMigrationsSplitIntoStatements() throws {
        let migrations = try Migrator.load(directory: "migrations")
        #expect(!migrations.isEmpty)
        for migration in migrations {
            // A semicolon may only be inside a comment, a quoted string or a dollar-quoted body.
            for statement in SQLScript.statements(migration.sql) {
                let code = statement.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
                    .joined(separator: "\n")
                #expect(!code.contains(";") || code.contains("'") || code.contains("$"), "\(migration.version): \(statement.prefix(80))")
            }
        }
    }
}

@Suite struct MigrationFileTests {
    @Test func migrationsAreOrderedByTheirNumber() throws {
        let versions = try Migrator.load(directory: "migrations").map(\.version)
        #expect(versions == versions.sorted())
        #expect(versions.first == "0001_init")
    }

    @Test func anUnreadableDirectoryIsReported() {
        #expect(throws: Migrator.MigrationError.self) { try Migrator.load(directory: "/nonexistent") }
    }

    @Test func aBadlyNamedFileIsRefused() throws {
        let directory = NSTemporaryDirectory() + "migrations-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "SELECT 1;".write(toFile: directory + "/init.sql", atomically: true, encoding: .utf8)
        #expect {
            try Migrator.load(directory: directory)
        } throws: { error in
            if case .badFileName("init.sql") = error as? Migrator.MigrationError { return true }
            return false
        }
    }
}

@Suite struct ArchiveKeyTests {
    @Test(arguments: [
        ("2026/11/21/0b8d5c4e.wav", "2026/11/21/0b8d5c4e.archive.mp3"),
        // An MP3 upload's archive never takes the original's key.
        ("2026/11/21/0b8d5c4e.mp3", "2026/11/21/0b8d5c4e.archive.mp3"),
        ("0b8d5c4e.flac", "0b8d5c4e.archive.mp3"),
    ])
    func theArchiveLivesNextToItsOriginalUnderAKeyOfItsOwn(original: String, archive: String) {
        let claim = ArchiveClaim(callID: UUID(), recordingID: UUID(), leaseToken: 1, originalKey: original, attempts: 1)
        #expect(claim.archiveKey == archive)
    }
}
