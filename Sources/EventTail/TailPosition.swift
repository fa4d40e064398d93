/// How far the tailer got: a generation of the log (its identity), the byte position in it after the last line
/// handled, and `base`, the logical offset of that generation's first byte. A line's event id is its logical
/// offset, `base + position in its generation`: offsets keep growing across rotations and truncations, so a new
/// generation's lines never take the ids of an old one's.
public struct TailPosition: Equatable, Sendable, Codable {
    public var device: UInt64
    public var inode: UInt64
    public var position: Int64
    public var base: Int64
    /// The generation's first bytes, up to `position`: tells it from a later file that got the same inode.
    public var fingerprint: Fingerprint

    public init(identity: FileIdentity, position: Int64, base: Int64, fingerprint: Fingerprint = .empty) {
        device = identity.device
        inode = identity.inode
        self.position = position
        self.base = base
        self.fingerprint = fingerprint
    }

    public var identity: FileIdentity { FileIdentity(device: device, inode: inode) }

    /// The logical offset of the next line.
    public var offset: Int64 { base + position }

    private enum CodingKeys: String, CodingKey {
        case device, inode, position, base, offset, fingerprint
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        device = try container.decode(UInt64.self, forKey: .device)
        inode = try container.decode(UInt64.self, forKey: .inode)
        position = try container.decode(Int64.self, forKey: .position)
        base = try container.decode(Int64.self, forKey: .base)
        fingerprint = try container.decodeIfPresent(Fingerprint.self, forKey: .fingerprint) ?? .empty
    }

    /// `offset` is written for people reading the file; it is derived, so it is not read back.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(inode, forKey: .inode)
        try container.encode(position, forKey: .position)
        try container.encode(base, forKey: .base)
        try container.encode(offset, forKey: .offset)
        try container.encode(fingerprint, forKey: .fingerprint)
    }
}
