import Foundation

/// The body of `POST /calls` exactly as the client sent it: every field optional and loosely typed, so that
/// validation can report every problem at once instead of failing on the first.
public struct NewCallRequest: Decodable, Sendable {
    public var caller: String?
    public var receiver: String?
    public var startedAt: String?
    public var tags: [String]?
    public var callbackUrl: String?
    /// What the telephony station that reported the call says of it; absent for other clients.
    public var station: StationFactsRequest?

    public init(
        caller: String?, receiver: String?, startedAt: String?, tags: [String]? = nil, callbackUrl: String? = nil,
        station: StationFactsRequest? = nil
    ) {
        self.callbackUrl = callbackUrl
        self.station = station
        self.caller = caller
        self.receiver = receiver
        self.startedAt = startedAt
        self.tags = tags
    }
}

/// A call that passed validation and can be stored.
public struct NewCall: Sendable, Equatable {
    public var caller: String
    public var receiver: String
    public var callerDigits: String
    public var receiverDigits: String
    public var startedAt: Date
    public var tags: [String]
    /// Where the final call is POSTed; nil for none.
    public var callbackURL: String? = nil
    public var station: StationFacts? = nil
}

extension NewCallRequest {
    /// `callbacks`: nil when the service has no callback signing key (a `callback_url` is then refused).
    public func validated(callbacks: CallbackPolicy? = nil) throws(ValidationFailure) -> NewCall {
        var failure = ValidationFailure()

        func phone(_ value: String?, field: String) -> (String, String)? {
            guard let value else {
                failure.add(field, "is required")
                return nil
            }
            guard let digits = PhoneNumber.normalizedDigits(value) else {
                failure.add(field, "must be a phone number: an optional '+' and 2 to 15 digits")
                return nil
            }
            return (String(value.trimmingWhitespace()), digits)
        }

        let caller = phone(caller, field: "caller")
        let receiver = phone(receiver, field: "receiver")

        var startedAt: Date?
        if let text = self.startedAt {
            startedAt = Timestamp.parse(text)
            if startedAt == nil { failure.add("started_at", "must be an RFC 3339 timestamp with a time zone") }
        } else {
            failure.add("started_at", "is required")
        }

        let tags = CallTags.normalized(self.tags ?? [], failure: &failure)
        if let url = callbackUrl {
            if let callbacks {
                if let problem = CallbackTarget.problem(with: url, allowPrivate: callbacks.allowPrivate) {
                    failure.add("callback_url", problem)
                }
            } else {
                failure.add("callback_url", "cannot be used: this service has no CALLS_CALLBACK_SIGNING_KEY")
            }
        }

        let station = self.station?.validated(startedAt: startedAt, failure: &failure)

        guard failure.isEmpty, let caller, let receiver, let startedAt else { throw failure }
        return NewCall(
            caller: caller.0,
            receiver: receiver.0,
            callerDigits: caller.1,
            receiverDigits: receiver.1,
            startedAt: startedAt,
            tags: tags,
            callbackURL: callbackUrl,
            station: station
        )
    }
}
