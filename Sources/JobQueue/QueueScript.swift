/// A Lua script of the queue with the layout of its `KEYS`, declared once: the `EVAL` arguments and the
/// script's own names for its keys both derive from `keys`, so no script counts positions by hand. A script
/// that moves jobs back to a ready list gets the ready list of every `Job.Kind` after its own keys, so a new
/// kind reaches every such script without an edit.
///
/// One exception to "every key in `KEYS`": the acknowledge script and the reaper name a worker's processing
/// list (and the reaper its heartbeat key) by a prefix from `QueueKeys` in `ARGV` plus a worker id, since both
/// learn the workers only inside the script, from the registry. Those keys carry the same `{name}` hash tag, so on a
/// Redis Cluster they live in the same slot as the script's other keys.
struct QueueScript: Sendable {
    /// A key a script can be given; its Lua local has the same name.
    enum Key: String, Sendable {
        /// Retries waiting, `QueueKeys.delayed`.
        case delayed
        /// Jobs given up on, `QueueKeys.dead`.
        case dead
        /// Registered workers, `QueueKeys.workers`.
        case workers
        /// The calling worker's processing list.
        case processing
        /// The job's bookkeeping hash.
        case job
    }

    /// The script's keys, in `KEYS` order.
    let keys: [Key]
    /// Whether the ready list of every kind follows `keys`, for the script's `readyFor(payload)`.
    let movesToReadyLists: Bool
    /// The Lua, as `EVAL` receives it: locals naming the keys, then the body.
    let source: String

    /// `body` reads its keys through locals named as in `keys`, and, when `movesToReadyLists`, picks a
    /// payload's ready list with `readyFor(payload)`.
    init(keys: [Key], movesToReadyLists: Bool = false, body: String) {
        self.keys = keys
        self.movesToReadyLists = movesToReadyLists
        var prelude = keys.enumerated().map { "local \($1.rawValue) = KEYS[\($0 + 1)]\n" }.joined()
        if movesToReadyLists { prelude += Self.readyForFunction(firstKey: keys.count + 1) }
        self.source = prelude + body
    }

    /// Lua `readyFor(payload)`: the ready list of the payload's kind, read from the `KEYS` that follow the
    /// script's own, one per `Job.Kind` in `allCases` order. A malformed payload goes with
    /// `QueueKeys.kindOfMalformedPayloads`, to be dropped by the worker that takes it. A chain of prefix
    /// tests rather than a table of kinds: it builds nothing per call, and these scripts run for every job.
    private static func readyForFunction(firstKey: Int) -> String {
        var tests = ""
        var fallback = firstKey
        for (offset, kind) in Job.Kind.allCases.enumerated() {
            let key = firstKey + offset
            if kind == QueueKeys.kindOfMalformedPayloads {
                fallback = key
                continue
            }
            let prefix = kind.rawValue + ":"
            tests += "  if string.sub(payload, 1, \(prefix.utf8.count)) == '\(prefix)' then return KEYS[\(key)] end\n"
        }
        return "local function readyFor(payload)\n\(tests)  return KEYS[\(fallback)]\nend\n\n"
    }

    /// The `EVAL` command: the script, its key count, the keys of `queue` it names (`worker` and `payload`
    /// pick the processing list and the bookkeeping hash), then `arguments` as `ARGV`.
    func command(_ queue: QueueKeys, worker: String? = nil, payload: String? = nil, arguments: [String] = []) -> [String] {
        var values = keys.map { key in
            switch key {
            case .delayed: return queue.delayed
            case .dead: return queue.dead
            case .workers: return queue.workers
            case .processing:
                guard let worker else { preconditionFailure("a script naming `processing` needs the worker") }
                return queue.processing(worker: worker)
            case .job:
                guard let payload else { preconditionFailure("a script naming `job` needs the payload") }
                return queue.job(payload)
            }
        }
        if movesToReadyLists { values += queue.readyLists }
        return ["EVAL", source, String(values.count)] + values + arguments
    }
}
