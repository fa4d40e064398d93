import CallsCore
import CallsProto
import CallsStore
import Foundation
import GRPCCore
import JobQueue
import Logging
import NIOCore
import RecordingStorage
import SwiftProtobuf

/// `calls.v1.Calls`: the REST API's calls over gRPC. Every RPC runs the same code as its REST twin (validation,
/// repository, upload intake, watch, download links), so both give the same data and the same errors; keys
/// and roles are checked before a handler runs (`APIKeyInterceptor`).
struct CallsGRPCService<Calls: CallRepository & Outbox & UploadLedger>: Calls_V1_Calls.SimpleServiceProtocol {
    let calls: Calls
    let intake: RecordingIntake<Calls>
    let watch: CallWatch<Calls>
    let links: RecordingLinks<Calls>
    let queue: any JobPublisher
    let store: any RecordingStore
    let callbacks: CallbackPolicy?
    /// REST's minimum upload rate; nil: none.
    let uploadPace: UploadPace?
    /// What the API's own download URLs start with: `CALLS_PUBLIC_URL`, or nothing (a path).
    let downloadBase: String
    let logger: Logger

    /// Bytes of a recording per `StreamRecording` message: well under every client's default message limit (4 MiB).
    static var streamChunkBytes: Int { 256 * 1024 }

    func createCall(request: Calls_V1_CreateCallRequest, context: ServerContext) async throws -> Calls_V1_CreateCallResponse {
        try await answering(context) {
            let key = try IdempotencyKeyHeader.validated(
                request.hasIdempotencyKey ? request.idempotencyKey : nil, field: "idempotency_key")
            let body = NewCallRequest(
                caller: request.caller, receiver: request.receiver,
                startedAt: request.hasStartedAt ? request.startedAt.requestText : nil, tags: request.tags,
                callbackUrl: request.hasCallbackURL ? request.callbackURL : nil, station: request.hasStation ? request.station.request : nil
            )
            let newCall: NewCall
            do throws(ValidationFailure) {
                newCall = try body.validated(callbacks: callbacks)
            } catch {
                throw Problem.validation(error)
            }
            var response = Calls_V1_CreateCallResponse()
            switch try await calls.create(newCall, idempotencyKey: key) {
            case .created(let call):
                response.call = try Calls_V1_Call(call)
            case .replayed(let call):
                response.call = try Calls_V1_Call(call)
                response.replayed = true
            case .keyReused:
                throw Problem.idempotencyKeyReused
            }
            return response
        }
    }

    /// The generated registration's entry; the server registers `uploadRecording(parts:context:)` instead
    /// (`CallsGRPCRoutes`), which reads the chunks without swift-protobuf's copy.
    func uploadRecording(
        request: RPCAsyncSequence<Calls_V1_UploadRecordingRequest, any Error>, context: ServerContext
    ) async throws -> Calls_V1_UploadRecordingResponse {
        try await uploadRecording(parts: RPCAsyncSequence(wrapping: request.map(UploadRequestPart.init)), context: context)
    }

    func uploadRecording(
        parts request: RPCAsyncSequence<UploadRequestPart, any Error>, context: ServerContext
    ) async throws -> Calls_V1_UploadRecordingResponse {
        try await answering(context) {
            guard let uploadPace, uploadPace.bytesPerSecond > 0 else { return try await receiveRecording(request, pace: nil) }
            let watch = UploadPaceWatch(pace: uploadPace)
            return try await watch.enforce { try await receiveRecording(request, pace: watch) }
        }
    }

    private func receiveRecording(
        _ request: RPCAsyncSequence<UploadRequestPart, any Error>, pace: UploadPaceWatch?
    ) async throws -> Calls_V1_UploadRecordingResponse {
        var messages = request.makeAsyncIterator()
        guard case .header(let header)? = try await messages.next() else {
            throw Problem.validation(field: "header", "the first message must be the header, with call_id")
        }
        let callID = try Self.callID(header.callID)
        try await intake.checkAcceptsRecording(callID: callID)
        let receiver = UploadChunkReceiver(limit: intake.maxUploadBytes, pace: pace)
        let accepted = try await intake.accept(callID: callID, logger: logger) { temporary in
            do {
                let byteCount = try await receiver.receive(&messages, into: temporary)
                return .init(filename: header.filename, byteCount: byteCount)
            } catch let failure as UploadChunkReceiver.Failure {
                switch failure {
                case .tooLarge: throw Problem.payloadTooLarge(limit: intake.maxUploadBytes)
                case .secondHeader: throw Problem.validation(field: "header", "must be sent once, as the first message")
                // REST's answer to a body without its file, in this transport's terms.
                case .noChunks:
                    throw Problem.validation(field: "chunk", "is required: send the recording in chunk messages after the header")
                }
            }
        }
        return Calls_V1_UploadRecordingResponse(accepted)
    }

    func getCall(request: Calls_V1_GetCallRequest, context: ServerContext) async throws -> Calls_V1_Call {
        try await answering(context) {
            let id = try Self.callID(request.id)
            guard let call = try await calls.find(id: id) else { throw Problem.callNotFound(id.lowercasedString) }
            return try Calls_V1_Call(call)
        }
    }

    func listCalls(request: Calls_V1_ListCallsRequest, context: ServerContext) async throws -> Calls_V1_ListCallsResponse {
        try await answering(context) {
            let page = try await calls.list(try CallListParameters.query(from: ListCallsQuery.values(of: request)))
            var response = Calls_V1_ListCallsResponse()
            response.total = Int64(page.total)
            response.totalEstimated = page.totalIsEstimate
            response.items = try page.items.map(Calls_V1_Call.init)
            response.nextPageToken = page.nextCursor?.token ?? ""
            return response
        }
    }

    func watchCall(
        request: Calls_V1_WatchCallRequest, response: RPCWriter<Calls_V1_Call>, context: ServerContext
    ) async throws {
        try await answering(context) {
            let id = try Self.callID(request.id)
            try await watch.watch(id) { change in
                switch change {
                case .status(let call): try await response.write(try Calls_V1_Call(call))
                // Nothing to send: the transport's keepalive pings find a peer that went away.
                case .quiet: break
                case .deleted: throw Problem.callNotFound(id.lowercasedString)
                }
            }
        }
    }

    func getDownloadURL(request: Calls_V1_GetDownloadURLRequest, context: ServerContext) async throws -> Calls_V1_DownloadURL {
        try await answering(context) {
            let link = try await links.link(
                toCall: try Self.callID(request.id), format: request.hasFormat ? request.format : nil, base: downloadBase)
            var answer = Calls_V1_DownloadURL()
            answer.url = link.url
            answer.expiresAt = Google_Protobuf_Timestamp(date: link.expiresAt)
            answer.format = link.format
            return answer
        }
    }

    func streamRecording(
        request: Calls_V1_StreamRecordingRequest, response: RPCWriter<Calls_V1_RecordingChunk>, context: ServerContext
    ) async throws {
        try await answering(context) {
            let (_, variant) = try await links.variant(
                ofCall: try Self.callID(request.id), format: request.hasFormat ? request.format : nil)
            let bytes: StoredBytes
            do {
                bytes = try await store.read(key: variant.storageKey, offset: 0, length: variant.sizeBytes)
            } catch let error as RecordingStoreError where error.kind == .notFound {
                logger.error("a recording's stored file is missing", metadata: ["key": "\(variant.storageKey)"])
                throw Problem.recordingNotFound
            }
            var message = Calls_V1_RecordingChunk()
            message.info.filename = variant.filename
            message.info.format = variant.format.rawValue
            message.info.contentType = variant.contentType
            message.info.sizeBytes = variant.sizeBytes
            var sentInfo = false
            for try await var buffer in bytes {
                while buffer.readableBytes > 0 {
                    let slice = buffer.readSlice(length: min(buffer.readableBytes, Self.streamChunkBytes))!
                    message.data = Data(slice.readableBytesView)
                    try await response.write(message)
                    message.clearInfo()
                    sentInfo = true
                }
            }
            if !sentInfo { try await response.write(message) }
        }
    }

    func deleteCall(request: Calls_V1_DeleteCallRequest, context: ServerContext) async throws -> Calls_V1_DeleteCallResponse {
        try await answering(context) {
            let id = try Self.callID(request.id)
            // As REST: the job first, so a worker that already holds it finds the call gone and drops it.
            try await queue.withdrawJobs(of: id)
            let store = self.store
            _ = try await calls.delete(id: id) { key in try await store.remove(key: key) }
            return Calls_V1_DeleteCallResponse()
        }
    }

    /// A malformed id names no call, so it is NOT_FOUND like an unknown one (REST: 404).
    static func callID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw Problem.callNotFound(text) }
        return id
    }

    /// Runs an RPC's work so that the RPC's end (its deadline passing, the client cancelling) cancels it, and
    /// any error leaves as the status its REST twin's problem maps to.
    private func answering<Result: Sendable>(
        _ context: ServerContext, _ work: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        do {
            return try await cancellingWithRPC(work)
        } catch let error as RPCError {
            throw error
        } catch {
            if context.cancellation.isCancelled || Task.isCancelled {
                throw RPCError(code: .deadlineExceeded, message: "the call was cancelled or its deadline passed")
            }
            throw Problem.answering(error, logger: logger).rpcError
        }
    }
}
