import CallsCore
import CallsStore
import Synchronization

/// `GET /sources`' reading, as route tests set it.
final class InMemorySourceStatusReader: SourceStatusReader {
    let state: Mutex<(statuses: [SourceStatus], rejects: [String: [SourceRejectRecord]])>

    init(statuses: [SourceStatus] = [], rejects: [String: [SourceRejectRecord]] = [:]) {
        state = Mutex((statuses, rejects))
    }

    func statuses() async throws -> [SourceStatus] {
        state.withLock { $0.statuses }
    }

    func rejects(source: String, limit: Int) async throws -> [SourceRejectRecord] {
        state.withLock { Array(($0.rejects[source] ?? []).sorted { $0.id > $1.id }.prefix(limit)) }
    }
}
