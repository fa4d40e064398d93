/// The structured part of an analysis: the speech timeline, and the settings that produced it so a result
/// can always be explained and reproduced.
public struct CallAnalysis: Codable, Sendable, Equatable {
    public var timeline: [SpeechSegment]
    /// Silences per channel; for mono this equals the recording's silence marks.
    public var channelSilences: [SilenceMark]
    /// Total length of the silence marks.
    public var silenceMs: Milliseconds
    /// Absent in analyses stored before metrics existed; a re-analysis fills it in.
    public var metrics: CallMetrics?
    public var settings: AnalysisSettings

    public init(
        timeline: [SpeechSegment],
        channelSilences: [SilenceMark],
        silenceMs: Milliseconds,
        metrics: CallMetrics?,
        settings: AnalysisSettings
    ) {
        self.timeline = timeline
        self.channelSilences = channelSilences
        self.silenceMs = silenceMs
        self.metrics = metrics
        self.settings = settings
    }
}

/// Everything the analysis of one recording produced, as the worker stores it.
public struct AnalysisResult: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: Int
    public var frameCount: Int64
    public var durationMs: Milliseconds
    public var silenceMarks: [SilenceMark]
    public var transcription: String
    public var analysis: CallAnalysis

    public init(
        sampleRate: Int,
        channels: Int,
        frameCount: Int64,
        durationMs: Milliseconds,
        silenceMarks: [SilenceMark],
        transcription: String,
        analysis: CallAnalysis
    ) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.frameCount = frameCount
        self.durationMs = durationMs
        self.silenceMarks = silenceMarks
        self.transcription = transcription
        self.analysis = analysis
    }
}
