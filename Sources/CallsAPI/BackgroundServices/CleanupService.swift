import ServiceLifecycle

/// Releases what the service group's other services used (thread pools, Redis threads) once they have
/// stopped. Listed first in the group, it is shut down last.
struct CleanupService: Service {
    let cleanup: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await cleanup()
    }
}
