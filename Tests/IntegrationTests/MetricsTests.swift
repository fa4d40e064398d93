import AsyncHTTPClient
import CallsAPI
import Foundation
import HummingbirdTesting
import NIOCore
import Observability
import Prometheus
import TestSupport
import Testing

/// swift-metrics' backend is global: bootstrapped once for the whole test process.
let testMetricsRegistry: PrometheusCollectorRegistry = MetricsExporter.bootstrapMetricsSystem()

extension IntegrationSuite {
    @Suite struct MetricsTests {
        static func get(_ url: String) async throws -> (Int, String) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body))
        }

        @Test func apiAndWorkerExportQueueFiguresAndJobOutcomes() async throws {
            try await Stack.withMigrated { base, _ in
                var configured = base
                let workerPort = try RedisServerProcess.freePort()
                configured.worker.metricsPort = workerPort
                let stack = configured
                let app = try buildApplication(
                    configuration: stack.api, migrations: .require, logger: TestServices.logger,
                    metricsRegistry: testMetricsRegistry)
                try await app.test(.live) { client in
                    try await stack.withWorker(metricsRegistry: testMetricsRegistry) { () async throws -> Void in
                        let id = try await client.createCall()
                        let body = CallFlowTests.multipart(CallFlowTests.dialogue())
                        #expect(try await streamUpload(port: client.port!, callID: id, body: body, chunkSize: 65_536).0 == 202)
                        #expect(try await client.waitForFinalStatus(id).status == .ready)

                        let text = try await client.execute(uri: "/metrics", method: .get) { response in
                            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                            return String(buffer: response.body)
                        }
                        for line in [
                            "calls_queue_ready 0", "calls_queue_dead 0", "calls_workers_alive 1", "calls_metrics_refresh_failed 0",
                        ] {
                            #expect(text.contains(line), "missing \(line)")
                        }
                        #expect(text.contains(#"calls_jobs_total{kind="analyze",outcome="completed"}"#))
                        #expect(text.contains("calls_job_duration_seconds_bucket"))
                        #expect(text.contains("calls_queue_archive_ready "))

                        let (status, workerText) = try await Self.get("http://127.0.0.1:\(workerPort)/metrics")
                        #expect(status == 200)
                        #expect(workerText.contains("calls_workers_alive 1"))
                        #expect(try await Self.get("http://127.0.0.1:\(workerPort)/readyz").0 == 200)
                    }
                }
            }
        }
    }
}
