import Foundation

/// SplitMix64: a small, fast generator whose whole future is fixed by its seed, so a seed names one run of
/// generated load for good (the system generator cannot be seeded); the queue traffic and the activity load
/// generators share it. The distributions are written out here rather
/// than taken from `Int.random(in:using:)`, whose algorithm the standard library may change.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in 0..<count (the modulo bias is below 2^-40 for any count used here).
    public mutating func below(_ count: Int) -> Int {
        precondition(count > 0)
        return Int(next() % UInt64(count))
    }

    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    public mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    public mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[below(elements.count)]
    }

    /// Time between events of a Poisson process with this mean.
    public mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - unit())
    }

    /// Right-skewed durations such as talk times: most short, a few very long, with this mean.
    public mutating func logNormal(mean: Double, sigma: Double) -> Double {
        let mu = log(mean) - sigma * sigma / 2
        return exp(mu + sigma * gaussian())
    }

    /// Standard normal by Box–Muller; one of the pair is dropped to keep the state a single word.
    public mutating func gaussian() -> Double {
        let u1 = max(unit(), 0x1p-60)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Log-normal with the given median: most values near it, a long right tail.
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * gaussian())
    }

    /// Pareto with scale `minimum` and shape `alpha`: heavy-tailed, as data volumes are.
    public mutating func pareto(minimum: Double, alpha: Double) -> Double {
        minimum * pow(1 - unit(), -1 / alpha)
    }

    /// A version-4 UUID from this generator, so ids repeat with the seed.
    public mutating func uuid() -> UUID {
        let (high, low) = (next(), next())
        var raw = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            raw[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
            raw[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
        }
        raw[6] = (raw[6] & 0x0F) | 0x40  // version 4
        raw[8] = (raw[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(
            uuid: (
                raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]
            ))
    }
}
