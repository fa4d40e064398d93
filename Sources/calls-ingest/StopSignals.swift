import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT cancel the run instead of killing the process: the upload in flight is abandoned, the
/// journal keeps its last confirmed step, and the process exits after the summary.
enum StopSignals {
    /// The body's result, and whether a signal stopped it.
    static func runUntilStopped<T: Sendable>(
        _ body: @escaping @Sendable () async throws -> T
    ) async -> (Result<T, any Error>, stopped: Bool) {
        let task = Task { try await body() }
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        return (await task.result, task.isCancelled)
    }
}
