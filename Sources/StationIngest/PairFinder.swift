import Foundation

/// Finds the pairs that are ready: a metadata file in a watched directory (not a dot-file, not in a
/// subdirectory such as done/ or failed/) whose content and recording have both stopped changing for the
/// settle time. A file still being written keeps changing its size or time and is not taken.
public struct PairFinder: Sendable {
    public let directories: [String]
    public let station: String
    public let reader: any PairReader
    private var tracker: SettleTracker

    public struct Scan: Sendable {
        public var ready: [TakenPair] = []
        /// Files seen but not settled yet.
        public var settling: [String] = []
        /// Settled metadata whose recording is not there (yet).
        public var missingRecording: [String] = []
    }

    public init(directories: [String], station: String, reader: any PairReader, settle: Duration) {
        self.directories = directories
        self.station = station
        self.reader = reader
        tracker = SettleTracker(settle: settle)
    }

    /// One pass over the directories at `now`, leaving out `skipping` (pairs in flight or given up on).
    public mutating func scan(now: ContinuousClock.Instant, skipping: Set<String>) -> Scan {
        var scan = Scan()
        var present = Set<String>()
        for directory in directories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") && reader.isMetadataFile(name) {
                let path = directory + "/" + name
                guard !skipping.contains(path), let stamp = FileStamp.of(path) else { continue }
                present.insert(path)
                guard tracker.observe(path, stamp, now: now) else {
                    scan.settling.append(path)
                    continue
                }
                examine(path, in: directory, stamp: stamp, now: now, into: &scan, present: &present)
            }
        }
        tracker.keepOnly(present)
        return scan
    }

    private mutating func examine(
        _ path: String, in directory: String, stamp: FileStamp, now: ContinuousClock.Instant, into scan: inout Scan,
        present: inout Set<String>
    ) {
        let name = String(path.dropFirst(directory.count + 1))
        guard stamp.size <= Int64(reader.maximumMetadataBytes), let bytes = FileManager.default.contents(atPath: path) else {
            let identity = PairIdentity(station: station, directory: directory, fileName: name, metadataBytes: Array("\(stamp)".utf8))
            let reason =
                stamp.size > Int64(reader.maximumMetadataBytes)
                ? "the metadata file has \(stamp.size) bytes, more than the \(reader.maximumMetadataBytes) allowed"
                : "the metadata file cannot be read"
            scan.ready.append(refused(path, directory: directory, identity: identity, refusal: .invalidMetadata(reason)))
            return
        }
        let identity = PairIdentity(station: station, directory: directory, fileName: name, metadataBytes: Array(bytes))
        switch reader.read(metadataPath: path, bytes: Array(bytes), fileExists: { FileStamp.of($0) != nil }) {
        case .refused(let refusal):
            scan.ready.append(refused(path, directory: directory, identity: identity, refusal: refusal))
        case .waitingForRecording:
            scan.missingRecording.append(path)
        case .ready(let fields, let recording):
            if let recording {
                guard let recordingStamp = FileStamp.of(recording) else {
                    scan.missingRecording.append(path)
                    return
                }
                present.insert(recording)
                guard tracker.observe(recording, recordingStamp, now: now) else {
                    scan.settling.append(recording)
                    return
                }
            }
            scan.ready.append(
                TakenPair(metadataPath: path, recordingPath: recording, watchDirectory: directory, identity: identity, fields: fields))
        }
    }

    /// A refused pair takes its recording along to the failed directory when one sits beside it by name (a
    /// symlink moves as the link: its target stays where it is).
    private func refused(_ path: String, directory: String, identity: PairIdentity, refusal: PairRefusal) -> TakenPair {
        let stem = directory + "/" + PairDisposal.stem(of: identity.fileName)
        let recording = [".wav", ".mp3"].map { stem + $0 }.first { FileStamp.of($0) != nil }
        return TakenPair(
            metadataPath: path, recordingPath: recording, watchDirectory: directory, identity: identity, fields: nil, refusal: refusal)
    }

    /// Forgets a path whose pair ended, so a new file of that name starts its own settle wait.
    public mutating func forget(_ path: String) {
        tracker.forget(path)
    }
}
