import Foundation

/// One line of a PBX's queue log (`epoch|callid|queue|agent|EVENT|data1|data2|…`), or the same fields sent
/// as JSON. `(source, id)` names the event for good: for a queue_log line the id is the line's byte offset in
/// that PBX's log, so a line sent twice is recognised as the same event.
public struct QueueEvent: Sendable, Equatable {
    public var source: String
    public var id: String
    public var time: Date
    public var callID: String
    public var queue: String
    public var agent: String
    public var name: Name
    public var data: [String]

    public init(
        source: String, id: String, time: Date, callID: String, queue: String, agent: String, name: Name,
        data: [String]
    ) {
        self.source = source
        self.id = id
        self.time = time
        self.callID = callID
        self.queue = queue
        self.agent = agent
        self.name = name
        self.data = data
    }

    /// What names an event for good: a second event with the same key is the same event sent again.
    public struct Key: Sendable, Hashable {
        public var source: String
        public var id: String

        public init(source: String, id: String) {
            self.source = source
            self.id = id
        }
    }

    public var key: Key { Key(source: source, id: id) }

    /// The events whose meaning the panel knows; any other name is kept as `.other` and changes no state.
    public enum Name: Sendable, Hashable {
        case addMember, removeMember, pause, unpause, pauseAll, unpauseAll, agentLogin, agentLogoff
        case enterQueue, ringNoAnswer, connect, completeAgent, completeCaller
        case transfer, blindTransfer, attendedTransfer
        case abandon, exitWithTimeout, exitWithKey, exitEmpty
        case queueStart, configReload
        case other(String)

        static let known: [String: Name] = [
            "ADDMEMBER": .addMember, "REMOVEMEMBER": .removeMember, "PAUSE": .pause, "UNPAUSE": .unpause,
            "PAUSEALL": .pauseAll, "UNPAUSEALL": .unpauseAll, "AGENTLOGIN": .agentLogin, "AGENTLOGOFF": .agentLogoff,
            "ENTERQUEUE": .enterQueue, "RINGNOANSWER": .ringNoAnswer, "CONNECT": .connect,
            "COMPLETEAGENT": .completeAgent, "COMPLETECALLER": .completeCaller, "TRANSFER": .transfer,
            "BLINDTRANSFER": .blindTransfer, "ATTENDEDTRANSFER": .attendedTransfer, "ABANDON": .abandon,
            "EXITWITHTIMEOUT": .exitWithTimeout, "EXITWITHKEY": .exitWithKey, "EXITEMPTY": .exitEmpty,
            "QUEUESTART": .queueStart, "CONFIGRELOAD": .configReload,
        ]

        public init(_ text: String) {
            self = Self.known[text] ?? .other(text)
        }

        public var text: String {
            if case .other(let text) = self { return text }
            return Self.known.first { $0.value == self }!.key
        }

        public var isKnown: Bool {
            if case .other = self { return false }
            return true
        }
    }

    /// The largest number of seconds (or position) taken from an event's data: 115 days. Anything larger is
    /// a corrupt field, and would overflow the state's 32-bit columns or its day totals.
    public static let maxDataNumber = 10_000_000

    /// `data[index]` as whole seconds (or a position), or nil when it is missing, negative, not a number or
    /// over `maxDataNumber`.
    func seconds(at index: Int) -> Int? {
        guard index >= 0, index < data.count, let value = Int(data[index].trimmingCharacters(in: .whitespaces)),
            (0...Self.maxDataNumber).contains(value)
        else { return nil }
        return value
    }

    func text(at index: Int) -> String? {
        index < data.count && !data[index].isEmpty ? data[index] : nil
    }
}
