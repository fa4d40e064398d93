import ArgumentParser

/// When the sweeper (which verifies every subscriber outside the latency probe) reads: during the send, or
/// only once it is over, so a benchmark on a small machine keeps those reads out of the sending phase. The
/// latency probe reads during the send either way.
public enum VerifyMode: String, Sendable, Codable, CaseIterable, ExpressibleByArgument {
    case during
    case after
}
