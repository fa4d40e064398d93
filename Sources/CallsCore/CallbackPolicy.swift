/// Callback settings: the HMAC key every delivery is signed with, and whether internal addresses may be
/// targets. Without a key (`CALLS_CALLBACK_SIGNING_KEY` unset) callbacks are off.
public struct CallbackPolicy: Sendable, Equatable {
    public var signingKey: String
    public var allowPrivate: Bool
    /// Deliveries before a callback is given up.
    public var maxAttempts: Int

    public init(signingKey: String, allowPrivate: Bool = false, maxAttempts: Int = 8) {
        self.signingKey = signingKey
        self.allowPrivate = allowPrivate
        self.maxAttempts = maxAttempts
    }

    /// Nil when no signing key is set. `delivering`: whether this process delivers callbacks, and so reads
    /// `CALLS_CALLBACK_MAX_ATTEMPTS` (the API, which only accepts them, keeps the default).
    public static func from(_ environment: EnvironmentVariables, delivering: Bool = true) throws(ConfigurationError) -> CallbackPolicy? {
        guard let key = environment.value("CALLS_CALLBACK_SIGNING_KEY") else { return nil }
        guard key.utf8.count >= 32 else {
            throw ConfigurationError(
                variable: "CALLS_CALLBACK_SIGNING_KEY", problem: "must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        }
        return CallbackPolicy(
            signingKey: key,
            allowPrivate: try environment.boolean("CALLS_ALLOW_PRIVATE_CALLBACKS", default: false),
            maxAttempts: delivering ? try environment.integer("CALLS_CALLBACK_MAX_ATTEMPTS", default: 8, in: 1...50) : 8)
    }
}
