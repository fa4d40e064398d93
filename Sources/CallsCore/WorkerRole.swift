import Foundation

/// What a worker process does. Small deployments run every role in one worker; large ones dedicate
/// processes (`CALLS_WORKER_ROLES=jobs` on some, `panel` on another).
public enum WorkerRole: String, Sendable, CaseIterable, Hashable {
    /// Analysis, archive, callback and CDR export jobs from the job queue.
    case jobs
    /// The telephony stream's `panel` consumer group (one process of all that have the role applies events
    /// at a time; the others stand by) and the sweep of lost callers and calls.
    case panel
    /// Builds and rebuilds call detail records from `cdr_pending` (every process with the role takes its
    /// own share of due calls).
    case cdrs
    /// CDR export scheduling (issue 17): new CDR versions become deliveries per consumer, grouped into batches
    /// whose export jobs the `jobs` role runs; also pushes again a batch whose job Redis lost.
    case exports
    /// The fetchers of `CALLS_SOURCES` (one process of all that have the role runs each fetcher at a time).
    case sources
    /// The activity streams' `ingest` group: stores raw subscriber events (every process with the role reads
    /// every partition), and keeps the monthly partitions made ahead and dropped past retention.
    case activityIngest = "activity-ingest"
    /// The activity streams' `aggregate` group: adds subscriber events to the day and month aggregates.
    case activityAggregate = "activity-aggregate"

    /// `CALLS_WORKER_ROLES`: a comma-separated list, or `all`.
    public static func parse(_ text: String) throws(ConfigurationError) -> Set<WorkerRole> {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        if names == ["all"] { return Set(allCases) }
        var roles = Set<WorkerRole>()
        for name in names {
            guard let role = WorkerRole(rawValue: name) else {
                throw ConfigurationError(
                    variable: "CALLS_WORKER_ROLES",
                    problem: "'\(name)' is not a role; use 'all' or a list of \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            roles.insert(role)
        }
        guard !roles.isEmpty else {
            throw ConfigurationError(variable: "CALLS_WORKER_ROLES", problem: "names no role; use 'all' or a list of roles")
        }
        return roles
    }
}
