import Foundation

/// How the queue panel counts and judges its data, shared by the API (which serves it) and the worker
/// (which applies events to it).
public struct PanelSettings: Sendable, Equatable {
    /// `CALLS_PANEL_TIMEZONE`: the zone whose midnight starts a new day of counters.
    public var timeZone = TimeZone(identifier: "UTC")!
    /// `CALLS_SERVICE_LEVEL_SECONDS`: a call answered within this many seconds of hold meets the service level.
    public var serviceLevelSeconds = 20
    /// `CALLS_PANEL_STALE_SECONDS`: past this lag the panel says its data is old.
    public var staleSeconds = 60
    /// `CALLS_PANEL_WAITING_LIMIT_SECONDS`: a waiting caller with no event this long was lost (a missed exit).
    public var waitingLimitSeconds = 3600
    /// `CALLS_PANEL_CALL_LIMIT_SECONDS`: a call with no event this long was lost (a missed completion).
    public var callLimitSeconds = 4 * 3600
    /// `CALLS_PANEL_EVENT_RETENTION_DAYS`: received events are kept this long, to recognise one sent again.
    public var eventRetentionDays = 7

    public init() {}

    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        timeZone = try environment.timeZone("CALLS_PANEL_TIMEZONE", default: timeZone)
        serviceLevelSeconds = try environment.integer("CALLS_SERVICE_LEVEL_SECONDS", default: serviceLevelSeconds, in: 1...3600)
        staleSeconds = try environment.integer("CALLS_PANEL_STALE_SECONDS", default: staleSeconds, in: 1...86_400)
        waitingLimitSeconds = try environment.integer(
            "CALLS_PANEL_WAITING_LIMIT_SECONDS", default: waitingLimitSeconds, in: 60...7 * 86_400)
        callLimitSeconds = try environment.integer("CALLS_PANEL_CALL_LIMIT_SECONDS", default: callLimitSeconds, in: 60...7 * 86_400)
        eventRetentionDays = try environment.integer(
            "CALLS_PANEL_EVENT_RETENTION_DAYS", default: eventRetentionDays, in: 1...3650)
    }
}
