import CallsCore

/// How many jobs of each kind one worker process runs at once, and so how many threads it needs: a decode or
/// an MP3 conversion blocks the thread it runs on, and so does a callback's name lookup.
public struct WorkerSlots: Sendable, Equatable {
    public var analysis: Int
    /// Zero when the worker does not archive.
    public var archive: Int
    /// Zero when callbacks are off.
    public var callback: Int

    public init(_ configuration: WorkerConfiguration) {
        analysis = configuration.concurrency
        archive = configuration.archive.enabled ? configuration.archive.concurrency : 0
        callback = configuration.callbacks == nil ? 0 : configuration.callbackConcurrency
    }

    /// One per analysis and archive slot.
    public var decodeThreads: Int { analysis + archive }
    /// One per callback slot, in a pool of their own: a lookup never waits behind decodes.
    public var resolverThreads: Int { callback }
}
