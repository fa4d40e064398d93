/// Which of the K activity streams a user's events go to: FNV-1a (64-bit) of the user id's UTF-8, modulo K.
/// Stable across processes, machines and releases (Swift's own `Hasher` is seeded per process), so every
/// API node sends one user's events to one stream, in order.
public struct ActivityPartitioner: Sendable, Equatable {
    public let partitions: Int

    public init(partitions: Int) {
        precondition(partitions > 0, "at least one partition")
        self.partitions = partitions
    }

    public func partition(ofUser userID: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in userID.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(partitions))
    }
}
