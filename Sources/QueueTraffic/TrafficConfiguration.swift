import Foundation

/// The shape of a run of traffic: its PBXs, queues and agents, how busy it is, and how its clock maps to the
/// epoch times written. The same configuration (seed included) always gives the same lines.
public struct TrafficConfiguration: Sendable, Equatable {
    public var seed: UInt64
    /// The PBXs (`source` of `POST /events`), each with its own queue_log.
    public var sources: [String] = ["pbx1"]
    /// Queues in all, spread over the sources; with `sharedQueueNames`, queues of each source, every source
    /// serving the same names (a cluster), so one queue's counts add up several PBXs.
    public var queueCount = 8
    public var sharedQueueNames = false
    /// Agents in all, spread over the sources. Each source numbers its agents from the same base, so the same
    /// agent name exists on several PBXs as different people.
    public var agentCount = 40
    /// Each agent serves 1…this many queues of its source.
    public var maxQueuesPerAgent = 3
    /// Agents logging in with AGENTLOGIN (queue named) and off with AGENTLOGOFF, the rest with ADDMEMBER and
    /// REMOVEMEMBER.
    public var agentLoginShare = 0.3
    /// Queues an ADDMEMBER agent joins paused (`ADDMEMBER|PAUSED`, AMI QueueAdd with Paused: true).
    public var addedPausedShare = 0.1
    /// Agents logging in during the first minute; the others log in later, when their activity comes.
    public var loggedInAtStart = 0.9
    /// Mean arrivals per queue per hour; each queue draws its own rate between half and one and a half times it.
    public var callsPerHourPerQueue = 60.0
    public var meanTalkSeconds = 180.0
    /// How long callers wait before hanging up (exponential).
    public var meanPatienceSeconds = 120.0
    /// The queue's timeout: EXITWITHTIMEOUT.
    public var queueTimeoutSeconds = 300.0
    /// Callers who press a key to leave (EXITWITHKEY).
    public var keyPressShare = 0.03
    /// Rings an agent answers; the others end in RINGNOANSWER after `ringTimeoutSeconds`.
    public var answerShare = 0.85
    public var ringTimeoutSeconds = 15.0
    /// After a call an agent is not rung again for up to this long (not shown in the queue_log: the panel
    /// counts it available).
    public var maxWrapUpSeconds = 10.0
    /// Calls ending in a transfer rather than COMPLETEAGENT/COMPLETECALLER.
    public var transferShare = 0.1
    /// Mean time between an agent's own actions (pause, unpause, log off or in, join or leave a queue);
    /// 0 = agents only log in at the start and never change.
    public var meanAgentActivitySeconds = 1200.0
    /// Calls with an extra line the panel must ignore (DID before ENTERQUEUE, INFO after CONNECT); rings
    /// cancelled by the caller always write RINGCANCELED, also unknown to the panel.
    public var unknownEventShare = 0.02
    /// PBX restarts: a QUEUESTART line that ends every waiting caller and call of that source.
    public var restarts: [Restart] = []
    /// Epoch of simulated second 0 (whole seconds). A replay against a running API must start near its
    /// clock: `today`, `lag_seconds`, `stale` and the ghost sweep go by the API's wall clock, so traffic
    /// from 2023 would count on no day of today and its waiting callers would be swept as ghosts.
    public var start = Date(timeIntervalSince1970: 1_700_000_000)
    /// Simulated seconds per second of written epoch: 1 writes the times the simulation lives (data fields
    /// such as hold and talk times then equal the differences of the lines' times); 60 writes an hour of
    /// traffic in a minute of epoch, data fields keep the simulated durations.
    public var timeScale = 1.0
    /// The panel's day for the truth's counters (`CALLS_PANEL_TIMEZONE`).
    public var timeZone = TimeZone(identifier: "UTC")!
    /// `CALLS_SERVICE_LEVEL_SECONDS`.
    public var serviceLevelSeconds = 20

    public struct Restart: Sendable, Equatable {
        public var source: String
        /// Simulated seconds after the start.
        public var afterSeconds: Double

        public init(source: String, afterSeconds: Double) {
            self.source = source
            self.afterSeconds = afterSeconds
        }
    }

    public init(seed: UInt64) {
        self.seed = seed
    }

    /// The size of the issue's `/queues/status` benchmark: 200 queues, 5 000 agents who all log in and stay,
    /// and more calls than they can answer with patient callers, so the waiting line grows past 2 000 within
    /// a few simulated minutes.
    public static func statusBenchmark(seed: UInt64) -> TrafficConfiguration {
        var configuration = TrafficConfiguration(seed: seed)
        configuration.queueCount = 200
        configuration.agentCount = 5000
        configuration.maxQueuesPerAgent = 2
        configuration.loggedInAtStart = 1
        configuration.addedPausedShare = 0
        configuration.meanAgentActivitySeconds = 0
        configuration.callsPerHourPerQueue = 900
        configuration.meanPatienceSeconds = 1800
        // Under the ghost sweep's hour, so a long replay loses no caller to it.
        configuration.queueTimeoutSeconds = 2400
        configuration.keyPressShare = 0
        return configuration
    }
}
