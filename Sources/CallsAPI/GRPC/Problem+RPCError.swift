import GRPCCore

extension Problem {
    /// The metadata key carrying the problem's stable `code`, for clients that switch on it.
    static let grpcCodeKey = "calls-problem-code"

    /// The gRPC form of the problem: the status code closest to its HTTP status, the stable `code` at the start
    /// of the message and in the trailing metadata, and `retry-after` (seconds) where REST sends `Retry-After`.
    var rpcError: RPCError {
        var metadata: Metadata = [:]
        metadata.addString(code, forKey: Self.grpcCodeKey)
        if let retryAfterSeconds { metadata.addString(String(retryAfterSeconds), forKey: "retry-after") }
        return RPCError(code: rpcCode, message: "\(code): \(detail)", metadata: metadata)
    }

    var rpcCode: RPCError.Code {
        switch status.code {
        case 400, 415, 422, 431: .invalidArgument
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .notFound
        case 405: .unimplemented
        case 408, 504: .deadlineExceeded
        case 409: .alreadyExists
        case 413, 429: .resourceExhausted
        case 416: .outOfRange
        case 503: .unavailable
        default: .internalError
        }
    }
}
