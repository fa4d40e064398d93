import CallsCore

/// The clock of the `sources` role.
struct SourceTiming: Sendable {
    /// A page's request, or its storing, must end within one lease: the lease is renewed before each.
    var leaseTTL: Duration
    /// How often a fetcher without the lease tries for it.
    var standbyPoll: Duration = .seconds(1)
    /// The wait once a source has nothing new.
    var poll: Duration
    var backoffBase: Duration = .seconds(1)
    var backoffCap: Duration
    var timeout: Duration

    init(_ settings: SourceSettings) {
        timeout = .seconds(settings.timeoutSeconds)
        poll = .seconds(settings.pollSeconds)
        backoffCap = .seconds(settings.maxBackoffSeconds)
        // A request takes up to the timeout, a page's transaction up to two database deadlines (10 s).
        leaseTTL = .seconds(max(settings.timeoutSeconds, 10) + 5)
    }
}
