import Foundation

/// What the API's answer to one POST means for the batch.
public enum DeliveryOutcome: Sendable, Equatable {
    /// 202: done; rejected lines are final.
    case accepted(EventsAnswer)
    /// 413: over the API's body or line limits; split the batch.
    case tooLarge(detail: String)
    /// 408, 429, 5xx, no connection, timeout: send the same batch again later.
    case retry(reason: String)
    /// Any other 4xx (400, 401, 403, 404 …): no retry can succeed.
    case refused(status: Int, detail: String)

    public init(status: Int, body: Data) {
        switch status {
        case 200...299:
            if let answer = try? JSONDecoder().decode(EventsAnswer.self, from: body) {
                self = .accepted(answer)
            } else {
                self = .retry(reason: "HTTP \(status) with an answer that is not an events result")
            }
        case 413: self = .tooLarge(detail: Self.detail(of: body, status: status))
        case 408, 429, 500...599: self = .retry(reason: "HTTP \(status): \(Self.detail(of: body, status: status))")
        default: self = .refused(status: status, detail: Self.detail(of: body, status: status))
        }
    }

    /// The problem's `detail` (RFC 9457), else its `title`, else the body itself.
    static func detail(of body: Data, status: Int) -> String {
        struct Problem: Decodable {
            var code: String?
            var title: String?
            var detail: String?
        }
        if let problem = try? JSONDecoder().decode(Problem.self, from: body), let text = problem.detail ?? problem.title {
            return problem.code.map { "\(text) (\($0))" } ?? text
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        return text.isEmpty ? "HTTP \(status)" : text
    }
}

/// The 202 answer to `POST /events`.
public struct EventsAnswer: Decodable, Sendable, Equatable {
    public struct Rejection: Decodable, Sendable, Equatable {
        /// 1-based line number in the request body.
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    public var accepted: Int
    public var duplicates: Int
    public var rejected: [Rejection]

    public init(accepted: Int, duplicates: Int, rejected: [Rejection]) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
    }

    private enum CodingKeys: String, CodingKey {
        case accepted, duplicates, rejected
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accepted = try container.decode(Int.self, forKey: .accepted)
        duplicates = try container.decodeIfPresent(Int.self, forKey: .duplicates) ?? 0
        rejected = try container.decodeIfPresent([Rejection].self, forKey: .rejected) ?? []
    }
}
