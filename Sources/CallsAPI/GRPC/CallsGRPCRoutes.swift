import CallsProto
import CallsStore
import GRPCCore
import GRPCProtobuf

/// `calls.v1.Calls` as generated, except that `UploadRecording` reads its messages with
/// `UploadRequestDeserializer`: the chunks reach the file with one copy fewer than through swift-protobuf.
struct CallsGRPCRoutes<Calls: CallRepository & Outbox & UploadLedger>: RegistrableRPCService {
    let service: CallsGRPCService<Calls>

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        service.registerMethods(with: &router)
        // Replaces the generated handler; the server adds its interceptors to every method after this.
        router.registerHandler(
            forMethod: Calls_V1_Calls.Method.UploadRecording.descriptor, deserializer: UploadRequestDeserializer(),
            serializer: ProtobufSerializer<Calls_V1_UploadRecordingResponse>()
        ) { [service] request, context in
            let response = try await service.uploadRecording(parts: request.messages, context: context)
            return StreamingServerResponse(single: ServerResponse(message: response, metadata: [:]))
        }
    }
}
