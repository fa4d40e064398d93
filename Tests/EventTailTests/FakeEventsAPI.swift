import Foundation

/// An event the API holds: its id (the line's logical offset) and the line.
struct StoredEvent: Equatable, Sendable, CustomStringConvertible {
    var offset: Int64
    var line: String

    var description: String { "\(offset): \(line.dropLast())" }
}

/// What the API's `POST /events` does with queue_log lines, as far as the tailer can tell: checks the key,
/// enforces limits (413), dedups on the event id (the line's offset), rejects lines it does not like, and can
/// be told to fail. It also remembers every request, so that tests can count them.
actor FakeEventsAPI {
    struct Request: Equatable {
        var offset: Int64
        var lines: Int
        var status: Int
    }

    let key: String
    private(set) var events: [Int64: String] = [:]
    /// Event ids the API received a second time with different text: the invariant the tailer must keep.
    private(set) var conflicts: [Int64] = []
    private(set) var duplicates = 0
    private(set) var requests: [Request] = []
    private var failuresLeft = 0
    private var lostAnswersLeft = 0
    var maxLines = Int.max
    var maxBytes = Int.max
    var rejectedWord: String?

    init(key: String = "test-key") {
        self.key = key
    }

    /// The next `count` requests are answered `status` without being looked at.
    func fail(next count: Int) {
        failuresLeft = count
    }

    /// The next `count` requests are stored, then answered 503: the answer is lost on the way back.
    func loseAnswers(next count: Int) {
        lostAnswersLeft = count
    }

    func limit(lines: Int = .max, bytes: Int = .max) {
        maxLines = lines
        maxBytes = bytes
    }

    func reject(linesContaining word: String) {
        rejectedWord = word
    }

    /// Accepted events in the order of their ids.
    var sortedEvents: [StoredEvent] {
        events.keys.sorted().map { StoredEvent(offset: $0, line: events[$0]!) }
    }

    func handle(offset: Int64?, authorization: String?, body: [UInt8]) -> (status: Int, json: String) {
        let answer = answer(offset: offset, authorization: authorization, body: body)
        requests.append(Request(offset: offset ?? -1, lines: body.count(where: { $0 == UInt8(ascii: "\n") }), status: answer.status))
        return answer
    }

    private func answer(offset: Int64?, authorization: String?, body: [UInt8]) -> (status: Int, json: String) {
        guard authorization == "Bearer \(key)" else { return problem(401, "unauthorized", "the API key is not valid") }
        if failuresLeft > 0 {
            failuresLeft -= 1
            return problem(503, "unavailable", "try again")
        }
        guard let offset, body.last == UInt8(ascii: "\n") else { return problem(400, "bad_request", "no offset or incomplete line") }
        let lines = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast()
        guard lines.count <= maxLines, body.count <= maxBytes else { return problem(413, "too_large", "over the limits") }
        var lineOffset = offset
        var accepted = 0
        var duplicatesHere = 0
        var rejected: [String] = []
        for (index, line) in lines.enumerated() {
            let text = String(decoding: line, as: UTF8.self) + "\n"
            defer { lineOffset += Int64(line.count + 1) }
            if let rejectedWord, text.contains(rejectedWord) {
                rejected.append(#"{"line": \#(index + 1), "reason": "contains \#(rejectedWord)"}"#)
            } else if let existing = events[lineOffset] {
                duplicatesHere += 1
                if existing != text { conflicts.append(lineOffset) }
            } else {
                events[lineOffset] = text
                accepted += 1
            }
        }
        duplicates += duplicatesHere
        if lostAnswersLeft > 0 {
            lostAnswersLeft -= 1
            return problem(503, "unavailable", "answer lost")
        }
        return (202, #"{"accepted": \#(accepted), "duplicates": \#(duplicatesHere), "rejected": [\#(rejected.joined(separator: ","))]}"#)
    }

    private func problem(_ status: Int, _ code: String, _ detail: String) -> (status: Int, json: String) {
        (status, #"{"type": "about:blank", "code": "\#(code)", "title": "\#(code)", "detail": "\#(detail)", "status": \#(status)}"#)
    }
}
