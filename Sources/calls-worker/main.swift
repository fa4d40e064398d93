import ArgumentParser
import CallsCore
import CallsWorker
import Foundation
import Observability
import ServiceStartup

@main
struct CallsWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls-worker",
        abstract: "Takes analysis jobs from Redis and writes results to PostgreSQL."
    )

    @Option(help: "Jobs processed in parallel by this process (overrides CALLS_WORKER_CONCURRENCY; default: cores).")
    var concurrency: Int?

    func run() async throws {
        var environment = StartupSettings.environment()
        if let concurrency { environment.values["CALLS_WORKER_CONCURRENCY"] = String(concurrency) }
        let configuration: CallsConfiguration
        do {
            configuration = try CallsConfiguration(
                environment: environment, processorCount: ProcessInfo.processInfo.activeProcessorCount)
        } catch {
            throw ValidationError("configuration: \(error)")
        }
        StartupSettings.returnLargeBuffersToTheSystem()
        let logger = StartupSettings.bootstrapLogging(level: configuration.logLevel, format: configuration.logFormat)
        let metrics = MetricsExporter.bootstrapMetricsSystem()
        let worker = try WorkerProcess(configuration: configuration, logger: logger, metricsRegistry: metrics)
        try await worker.run(logger: logger)
    }
}
