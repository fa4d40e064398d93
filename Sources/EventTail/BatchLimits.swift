/// How many pending lines go into the next POST. Starts at the configured limits; a 413 halves the limits to
/// half of the refused batch, and every accepted batch doubles them back towards the configured ones, so a
/// tailer configured above the API's limits settles just under them.
struct BatchLimits {
    let configuredLines: Int
    let configuredBytes: Int
    private(set) var lines: Int
    private(set) var bytes: Int

    init(lines: Int, bytes: Int) {
        configuredLines = lines
        configuredBytes = bytes
        self.lines = lines
        self.bytes = bytes
    }

    /// How many of `pending` (from its start) the next batch takes: at least one line.
    func count(of pending: ArraySlice<TailLine>) -> Int {
        var count = 0
        var total = 0
        for line in pending.prefix(lines) {
            total += line.bytes.count
            if count > 0 && total > bytes { break }
            count += 1
        }
        return count
    }

    mutating func refused(lines refusedLines: Int, bytes refusedBytes: Int) {
        lines = max(1, refusedLines / 2)
        bytes = max(1, refusedBytes / 2)
    }

    mutating func accepted() {
        lines = min(configuredLines, lines * 2)
        bytes = min(configuredBytes, bytes * 2)
    }
}
