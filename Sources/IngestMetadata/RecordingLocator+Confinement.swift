import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension RecordingLocator {
    /// Whether a recording `recording(for:…)` found may be sent: only when it lies inside one of `directories`,
    /// symlinks resolved on both sides (`realpath`). Whoever can write a metadata file must not be able to have
    /// any file this client can read uploaded and moved away: an absolute `record_path` of `/etc/shadow`, a
    /// `../` hidden behind a link, a link planted beside the metadata pointing out.
    ///
    /// Success is the resolved path: the one to upload and to move, so that what was checked is what is sent
    /// (a link swapped in after the check cannot redirect it). Directories that do not exist are skipped.
    public static func confine(_ recording: String, to directories: [String]) -> Result<String, MetadataRefusal> {
        guard let resolved = realPath(recording) else {
            let code = errno
            return .failure(MetadataRefusal("the recording \(recording) cannot be resolved: \(String(cString: strerror(code)))"))
        }
        let roots = directories.compactMap(realPath)
        if roots.contains(where: { resolved.hasPrefix($0 == "/" ? "/" : $0 + "/") }) { return .success(resolved) }
        let shown = resolved == recording ? recording : "\(recording) (\(resolved) once its links are resolved)"
        return .failure(
            MetadataRefusal(
                "the recording \(shown) is outside the directories recordings are taken from: \(directories.joined(separator: ", "))"))
    }

    /// The path without symlinks, `.` or `..`; nil when it cannot be resolved (`errno` says why).
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
