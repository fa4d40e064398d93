/// Times inside a recording are kept as whole milliseconds so that every figure the API shows has exactly
/// millisecond precision; JSON carries them as seconds with up to three decimals.
public typealias Milliseconds = Int64

extension Milliseconds {
    public var seconds: Double { Double(self) / 1000 }

    public init(seconds: Double) {
        self = Int64((seconds * 1000).rounded())
    }
}
