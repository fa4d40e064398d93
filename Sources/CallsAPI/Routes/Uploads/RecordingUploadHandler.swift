import CallsStore
import Foundation
import Hummingbird
import RecordingStorage

/// `POST /calls/{id}/recording`: the `file` field of a multipart body, streamed into `RecordingIntake`.
struct RecordingUploadHandler<Calls: CallRepository & Outbox & UploadLedger>: Sendable {
    let intake: RecordingIntake<Calls>
    var pace: UploadPace?

    var maxUploadBytes: Int64 { intake.maxUploadBytes }

    @Sendable func upload(_ request: Request, context: CallsRequestContext) async throws -> Response {
        let callID = try callID(context)
        try await intake.checkAcceptsRecording(callID: callID)
        guard let boundary = request.headers[.contentType].flatMap(MultipartHeaders.boundary) else {
            throw Problem.multipartRequired
        }
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }),
            length > maxUploadBytes + MultipartFileReceiver.framingAllowance
        {
            throw Problem.payloadTooLarge(limit: maxUploadBytes)
        }
        let accepted = try await intake.accept(callID: callID, logger: context.logger) { temporary in
            try await receive(request.body, boundary: boundary, into: temporary)
        }
        return try .json(accepted, status: .accepted)
    }

    private func receive(
        _ body: RequestBody, boundary: String, into temporary: TemporaryRecording
    ) async throws -> RecordingIntake<Calls>.Received {
        do {
            let received = try await MultipartFileReceiver(boundary: boundary, limit: maxUploadBytes, pace: pace)
                .receive(body, into: temporary)
            return .init(filename: received.filename, byteCount: received.byteCount)
        } catch let failure as MultipartFileReceiver.Failure {
            switch failure {
            case .tooLarge: throw Problem.payloadTooLarge(limit: maxUploadBytes)
            case .headersTooLarge(let reason): throw Problem.multipartHeadersTooLarge(reason)
            case .tooManyParts(let limit): throw Problem.tooManyParts(limit: limit)
            case .tooSlow(let bytesPerSecond): throw Problem.uploadTooSlow(bytesPerSecond: bytesPerSecond)
            case .malformed(let reason): throw Problem.invalidMultipart(reason)
            case .missingFile: throw Problem.validation(field: "file", "is required: send the recording in the multipart field 'file'")
            }
        }
    }
}
