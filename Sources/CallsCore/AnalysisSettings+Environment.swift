extension AnalysisSettings {
    /// Reads every detection threshold from `CALLS_*` variables, keeping the defaults for unset ones.
    public init(environment: EnvironmentVariables) throws(ConfigurationError) {
        self.init()
        minSilenceMs = try environment.integer("CALLS_MIN_SILENCE_MS", default: minSilenceMs, in: 50...60_000)
        minSpeechMs = try environment.integer("CALLS_MIN_SPEECH_MS", default: minSpeechMs, in: 10...10_000)
        hangoverMs = try environment.integer("CALLS_VAD_HANGOVER_MS", default: hangoverMs, in: 0...5_000)
        noiseWindowMs = try environment.integer("CALLS_VAD_NOISE_WINDOW_MS", default: noiseWindowMs, in: 1_000...600_000)
        marginDb = Double(try environment.integer("CALLS_VAD_MARGIN_DB", default: Int(marginDb), in: 1...60))
        hysteresisDb = Double(try environment.integer("CALLS_VAD_HYSTERESIS_DB", default: Int(hysteresisDb), in: 0...30))
        absoluteFloorDb = Double(
            try environment.integer(
                "CALLS_VAD_ABSOLUTE_FLOOR_DB", default: Int(absoluteFloorDb), in: -120...(-10)))
        decodeBudgetSeconds = try environment.integer(
            "CALLS_DECODE_BUDGET_SECONDS", default: decodeBudgetSeconds, in: 1...86_400)
        if let names = environment.value("CALLS_CHANNEL_SPEAKERS") {
            let speakers = names.split(separator: ",").map { String(String($0).trimmingWhitespace()) }
            guard speakers.count >= 2, speakers.allSatisfy({ !$0.isEmpty }) else {
                throw ConfigurationError(
                    variable: "CALLS_CHANNEL_SPEAKERS", problem: "must name at least two parties, e.g. 'agent,customer'")
            }
            channelSpeakers = speakers
        }
    }
}
