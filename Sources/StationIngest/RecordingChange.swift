/// A recording that changed after its upload began: it grew (a PBX still writing after the settle time), was
/// touched, replaced or removed. The upload's length was fixed when it started, so the call holds the file as it
/// was then, cut short if it grew.
///
/// The pair is not disposed of as delivered, and cannot simply be sent again: the service keeps one recording
/// per call (a second upload is a 409), and a new call would duplicate this one. So it is filed as failed with
/// `recording_changed_after_upload`, naming the call, and its files are kept for a person to decide (the call
/// can be deleted and the recording sent by hand). A change that leaves size and modification time alike
/// cannot be seen, as for settling.
struct RecordingChange: Equatable {
    var path: String
    var uploaded: FileStamp
    /// Nil: no longer a regular file at the path.
    var now: FileStamp?

    /// Nil when the recording (`now`: its stamp at the check) still looks as it did when its upload began.
    init?(_ path: String, uploaded: FileStamp, now: FileStamp?) {
        guard now != uploaded else { return nil }
        self.path = path
        self.uploaded = uploaded
        self.now = now
    }

    var reason: String {
        guard let now else { return "\(path) was removed or replaced during its upload" }
        if now.size != uploaded.size { return "\(path) changed from \(uploaded.size) to \(now.size) bytes during or after its upload" }
        return "\(path) was modified during or after its upload (same size, \(uploaded.size) bytes)"
    }

    func problem(callID: String) -> [UInt8] {
        ProblemDocument.local(
            code: "recording_changed_after_upload", title: "The recording changed after its upload began",
            detail:
                "\(reason). Call \(callID) holds the recording as it was when the upload began (\(uploaded.size) bytes); the service keeps one recording per call, so the files are kept here for a person to decide."
        )
    }
}
