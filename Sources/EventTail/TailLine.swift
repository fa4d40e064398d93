/// One complete queue_log line (with its `\n`), the logical offset of its first byte (its event id), and where
/// the tailer is once the line is handled (what the state file says after it is acknowledged).
public struct TailLine: Equatable, Sendable {
    public var offset: Int64
    public var bytes: [UInt8]
    public var after: TailPosition

    public init(offset: Int64, bytes: [UInt8], after: TailPosition) {
        self.offset = offset
        self.bytes = bytes
        self.after = after
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
