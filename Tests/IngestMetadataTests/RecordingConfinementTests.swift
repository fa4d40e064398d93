import Foundation
import IngestMetadata
import Testing

/// `RecordingLocator.confine` on a real file system: symlinks are what it is about.
@Suite struct RecordingConfinementTests {
    /// root/{rec, rec-evil, outside, watch}, root/rec-link → rec, and a file in each.
    struct Tree {
        let root: String

        init() throws {
            root = NSTemporaryDirectory() + "confinement-" + UUID().uuidString.lowercased()
            for directory in ["rec/2026", "rec-evil", "outside", "watch"] {
                try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
            }
            for file in ["rec/2026/a.wav", "rec-evil/b.wav", "outside/secret.wav", "watch/c.wav"] {
                try Data([1, 2, 3]).write(to: URL(fileURLWithPath: root + "/" + file))
            }
            try FileManager.default.createSymbolicLink(atPath: root + "/rec-link", withDestinationPath: root + "/rec")
            try FileManager.default.createSymbolicLink(atPath: root + "/rec/out.wav", withDestinationPath: root + "/outside/secret.wav")
            try FileManager.default.createSymbolicLink(atPath: root + "/rec/in.wav", withDestinationPath: "2026/a.wav")
            try FileManager.default.createSymbolicLink(atPath: root + "/rec/up", withDestinationPath: root + "/outside")
        }

        var real: String { URL(fileURLWithPath: root).resolvingSymlinksInPath().path }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    @Test func acceptsFilesInsideGivingTheResolvedPath() throws {
        let tree = try Tree()
        defer { tree.remove() }
        let allowed = [tree.root + "/rec", tree.root + "/watch"]
        #expect(try RecordingLocator.confine(tree.root + "/rec/2026/a.wav", to: allowed).get() == tree.real + "/rec/2026/a.wav")
        #expect(try RecordingLocator.confine(tree.root + "/watch/c.wav", to: allowed).get() == tree.real + "/watch/c.wav")
        // A link inside pointing inside is the file it points to.
        #expect(try RecordingLocator.confine(tree.root + "/rec/in.wav", to: allowed).get() == tree.real + "/rec/2026/a.wav")
        // An allowed directory named through a link is the directory it points to.
        #expect(
            try RecordingLocator.confine(tree.root + "/rec/2026/a.wav", to: [tree.root + "/rec-link"]).get() == tree.real
                + "/rec/2026/a.wav")
        #expect(try RecordingLocator.confine(tree.root + "/rec-link/2026/a.wav", to: allowed).get() == tree.real + "/rec/2026/a.wav")
    }

    @Test func refusesFilesOutsideHoweverTheyAreReached() throws {
        let tree = try Tree()
        defer { tree.remove() }
        let allowed = [tree.root + "/rec", tree.root + "/watch", tree.root + "/missing"]
        let outside = [
            "/etc/passwd", tree.root + "/outside/secret.wav",
            // A link planted inside, a directory link inside, a `..` through it, a sibling sharing the prefix.
            tree.root + "/rec/out.wav", tree.root + "/rec/up/secret.wav", tree.root + "/rec/up/../outside/secret.wav",
            tree.root + "/rec-evil/b.wav",
        ]
        for path in outside {
            guard case .failure(let refusal) = RecordingLocator.confine(path, to: allowed) else {
                Issue.record("\(path) was accepted")
                continue
            }
            #expect(refusal.reason.contains("is outside the directories recordings are taken from"), "\(refusal.reason)")
            #expect(refusal.reason.contains(tree.root + "/rec, "), "the allowed directories are named: \(refusal.reason)")
        }
        guard case .failure(let linked) = RecordingLocator.confine(tree.root + "/rec/out.wav", to: allowed) else { return }
        #expect(linked.reason.contains("(\(tree.real)/outside/secret.wav once its links are resolved)"), "\(linked.reason)")
        guard case .failure(let missing) = RecordingLocator.confine(tree.root + "/rec/none.wav", to: allowed) else {
            Issue.record("a file that is not there was accepted")
            return
        }
        #expect(missing.reason.contains("cannot be resolved"))
    }
}
