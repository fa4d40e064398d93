import CallsCore

/// The whole analysis in one streaming pass: decode block by block, measure frame energies, then find speech
/// and silence on the (small) energy envelope. The worker and `calls-analyze` both call this.
public struct AudioAnalyzer: Sendable {
    public static let defaultBlockFrames = 4096

    public var settings: AnalysisSettings
    public var blockFrames: Int

    public init(settings: AnalysisSettings = AnalysisSettings(), blockFrames: Int = Self.defaultBlockFrames) {
        self.settings = settings
        self.blockFrames = max(1, blockFrames)
    }

    public func analyzeFile(atPath path: String) throws(AudioDecodingError) -> AnalysisResult {
        var decoder = try SndfileDecoder(path: path)
        return try analyze(&decoder)
    }

    public func analyze<Decoder: AudioDecoder & ~Copyable>(_ decoder: inout Decoder) throws(AudioDecodingError) -> AnalysisResult {
        let channels = decoder.channelCount
        let sampleRate = decoder.sampleRate
        var meter = FrameEnergyMeter(channelCount: channels, sampleRate: sampleRate, frameMs: settings.frameMs)
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: blockFrames * channels)
        defer { buffer.deallocate() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(settings.decodeBudgetSeconds)
        var blocks = 0
        while true {
            let frames = try decoder.readFrames(into: buffer)
            if frames == 0 { break }
            meter.consume(UnsafeBufferPointer(buffer), frames: frames)
            blocks += 1
            if blocks % 64 == 0, clock.now > deadline {
                throw AudioDecodingError("decoding took longer than the \(settings.decodeBudgetSeconds) s budget")
            }
        }
        let frameCount = meter.framesConsumed
        guard frameCount > 0 else { throw AudioDecodingError("the recording contains no audio frames") }
        let envelope = meter.finish()
        return summarize(envelope: envelope, frameCount: frameCount)
    }

    func summarize(envelope: EnergyEnvelope, frameCount: Int64) -> AnalysisResult {
        let sampleRate = Int64(envelope.sampleRate)
        let durationMs = (frameCount * 1000 + sampleRate / 2) / sampleRate
        let detector = VoiceActivityDetector(settings: settings)
        let speech = envelope.decibels.map { detector.speechSpans(decibels: $0) }
        let timeline = SpeechTimelineBuilder(settings: settings, envelope: envelope, durationMs: durationMs)
            .build(speech: speech)
        let silenceMs = timeline.silences.reduce(0) { $0 + $1.durationMs }
        let speakers = (0..<envelope.channelCount).map { settings.speaker(forChannel: $0, channelCount: envelope.channelCount) }
        let analysis = CallAnalysis(
            timeline: timeline.turns,
            channelSilences: timeline.channelSilences,
            silenceMs: silenceMs,
            metrics: CallMetricsCalculator(durationMs: durationMs).metrics(timeline: timeline, speakers: speakers),
            settings: settings
        )
        return AnalysisResult(
            sampleRate: envelope.sampleRate,
            channels: envelope.channelCount,
            frameCount: frameCount,
            durationMs: durationMs,
            silenceMarks: timeline.silences,
            transcription: TranscriptRenderer.render(
                turns: timeline.turns, silences: timeline.silences, namesSpeakers: envelope.channelCount > 1),
            analysis: analysis
        )
    }
}
