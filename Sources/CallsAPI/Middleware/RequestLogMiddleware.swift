import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id and logs one access line when it is answered.
///
/// The id is the client's `X-Request-ID` when it is a sensible token (so a call can be followed from a
/// proxy or client log), else a fresh one; it is echoed in the response and attached to every log line
/// written for the request. The access line carries method, path (never the query: it holds phone
/// numbers), status, duration and response size. Outermost, so it also sees problem responses.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    static var requestIDField: HTTPField.Name { HTTPField.Name("X-Request-ID")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let id = Self.acceptable(request.headers[Self.requestIDField]) ?? Self.makeID()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Only errors the problem middleware could not answer reach here (none are expected).
            log(request, status: 500, bytes: nil, since: started, logger: context.logger)
            throw error
        }
        response.headers[Self.requestIDField] = id
        log(request, status: Int(response.status.code), bytes: response.body.contentLength, since: started, logger: context.logger)
        return response
    }

    private func log(_ request: Request, status: Int, bytes: Int?, since started: ContinuousClock.Instant, logger: Logger) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.3f", milliseconds)),
                "bytes": bytes.map { .stringConvertible($0) } ?? .string("unknown"),
            ])
    }

    /// 1–128 characters of letters, digits and `-_.:` — enough for UUIDs, trace ids and ULIDs, nothing that
    /// could forge a log line or a header.
    static func acceptable(_ value: String?) -> String? {
        guard let value, (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || "-_.:".utf8.contains(byte)
            })
        else { return nil }
        return value
    }

    static func makeID() -> String {
        UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }
}
