import CallsCore
import Foundation

/// Reproducible CDRs for statistics and listing tests: several sources and call types, about a third
/// unanswered (no wait, no talk), a fifth without an operator, some names missing, start times on whole
/// milliseconds (what PostgreSQL and RFC 3339 both keep exactly), a few exactly on an hour.
public struct RandomCdrs: Sendable {
    public static let sources = ["crm", "pbx2", "legacy"]
    public static let callTypes = ["inbound", "outbound"]
    public static let results: [String?] = ["resolved", "unresolved", nil]

    var random: SeededCdrRandom

    public init(seed: UInt64) {
        random = SeededCdrRandom(seed: seed)
    }

    /// `count` records with ids from `firstID`, starting within [from, from + seconds).
    public mutating func make(count: Int, firstID: Int64 = 1, from: Date, seconds: Int) -> [CallDetailRecord] {
        (0..<count).map { index in
            let id = firstID + Int64(index)
            var startMillis = Int64(from.timeIntervalSince1970 * 1000) + Int64(random.next(below: UInt64(seconds) * 1000))
            if random.next(below: 20) == 0 { startMillis -= startMillis % 3_600_000 }
            let start = Date(timeIntervalSince1970: Double(startMillis) / 1000)
            return record(id: id, start: start)
        }
    }

    /// A record starting at `start`, every other field random.
    public mutating func record(id: Int64, start: Date) -> CallDetailRecord {
        let answered = random.next(below: 3) != 0
        let wait = answered ? Int(random.next(below: 90)) : nil
        let talk = answered ? Int(random.next(below: 900)) + 1 : 0
        let duration = (wait ?? 0) + talk + Int(random.next(below: 40))
        let operatorID: Int64? = random.next(below: 5) == 0 ? nil : Int64(random.next(below: 12)) + 1
        let name = operatorID.flatMap { op in random.next(below: 6) == 0 ? nil : "Operator \(op) v\(random.next(below: 3))" }
        let kind: CallDetailRecord.Kind = random.next(below: 4) == 0 ? .queue : .import
        let source = Self.sources[Int(random.next(below: UInt64(Self.sources.count)))]
        let phone = "+7900" + String(1_000_000 + random.next(below: 8_999_999))
        let callType = Self.callTypes[Int(random.next(below: UInt64(Self.callTypes.count)))]
        let scenario = "scenario-" + String(random.next(below: 5))
        let result = Self.results[Int(random.next(below: 3))]
        let connections = Int(random.next(below: 4))
        let events = Int(random.next(below: 9))
        let hold = answered ? Int(random.next(below: 60)) : 0
        let queue: String? = random.next(below: 2) == 0 ? "support" : nil
        let agent: String? = random.next(below: 2) == 0 ? "SIP/" + String(random.next(below: 50)) : nil
        let complete = random.next(below: 10) != 0
        let version = 1 + Int(random.next(below: 3))
        return CallDetailRecord(
            id: id, kind: kind, source: source, callKey: "key-\(id)", callID: id, callRowID: nil, version: version,
            initiatorPhone: phone, callType: callType, scenarioID: scenario, startTime: start,
            endTime: start.addingTimeInterval(Double(duration)), durationSeconds: duration, operatorID: operatorID,
            operatorName: name, callResult: result, numberOfConnections: connections, numberOfEvents: events,
            waitSeconds: wait, talkSeconds: talk, holdSeconds: hold, answered: answered, queue: queue, agent: agent,
            complete: complete, builtAt: Date(timeIntervalSince1970: 1_790_000_000.123))
    }
}

/// SplitMix64, public for the tests that draw periods and changes from the same seed.
public struct SeededCdrRandom: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next(below bound: UInt64) -> UInt64 {
        next() % bound
    }
}
