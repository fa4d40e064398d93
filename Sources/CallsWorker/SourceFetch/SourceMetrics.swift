import CallsCore
import Foundation
import Metrics

/// The `/metrics` of one fetcher, labelled by source and collection. Lag is the seconds since the fetcher
/// last got `next_cursor: null` (caught up) or, before that, since it started; 0 while caught up.
struct SourceMetrics: Sendable {
    let items: Counter
    let pages: Counter
    let errors: Counter
    let rejects: Counter
    let cursor: Gauge
    let lag: Gauge
    let leading: Gauge

    init(source: String, collection: SourceCollection) {
        let dimensions = [("source", source), ("collection", collection.rawValue)]
        items = Counter(label: "calls_source_items_total", dimensions: dimensions)
        pages = Counter(label: "calls_source_pages_total", dimensions: dimensions)
        errors = Counter(label: "calls_source_errors_total", dimensions: dimensions)
        rejects = Counter(label: "calls_source_rejects_total", dimensions: dimensions)
        cursor = Gauge(label: "calls_source_cursor", dimensions: dimensions)
        lag = Gauge(label: "calls_source_lag_seconds", dimensions: dimensions)
        leading = Gauge(label: "calls_source_leading", dimensions: dimensions)
    }
}
