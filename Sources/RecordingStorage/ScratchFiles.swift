import Foundation

/// The files uploads and downloads leave in a scratch directory when their process dies mid-way.
enum ScratchFiles {
    /// Removes the directory's files last modified more than `age` seconds ago; returns how many.
    static func sweep(_ directory: String, olderThan age: TimeInterval) throws -> Int {
        let cutoff = Date().addingTimeInterval(-age)
        var removed = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let path = "\(directory)/\(name)"
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
            if let modified, modified < cutoff, unlink(path) == 0 { removed += 1 }
        }
        return removed
    }
}
