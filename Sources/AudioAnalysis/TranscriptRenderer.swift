import CallsCore

/// Renders the timeline as the human-readable pseudo-transcript, one line per turn or silence:
///
///     00:05.900–00:11.020  receiver  speech (5.1 s)
///     00:11.020  silence 27.0 s
///
/// Mono recordings cannot tell parties apart, so their lines name no speaker.
enum TranscriptRenderer {
    static func render(turns: [SpeechSegment], silences: [SilenceMark], namesSpeakers: Bool) -> String {
        let speakerWidth = turns.map(\.speaker.count).max() ?? 0
        var lines: [(Milliseconds, Int, String)] = []
        for turn in turns {
            let speaker = namesSpeakers ? turn.speaker.padding(toLength: speakerWidth) + "  " : ""
            lines.append(
                (
                    turn.startMs, 0,
                    "\(clock(turn.startMs))–\(clock(turn.endMs))  \(speaker)speech (\(seconds(turn.durationMs)) s)"
                ))
        }
        for silence in silences {
            lines.append((silence.startMs, 1, "\(clock(silence.startMs))  silence \(seconds(silence.durationMs)) s"))
        }
        lines.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        return lines.map(\.2).joined(separator: "\n")
    }

    /// `MM:SS.mmm`, or `H:MM:SS.mmm` from the first hour on.
    static func clock(_ ms: Milliseconds) -> String {
        let hours = ms / 3_600_000
        let minutes = ms / 60_000 % 60
        let secs = ms / 1000 % 60
        let millis = ms % 1000
        let tail = "\(twoDigits(minutes)):\(twoDigits(secs)).\(threeDigits(millis))"
        return hours > 0 ? "\(hours):\(tail)" : tail
    }

    /// One decimal, rounded half up: `5.1`, `27.0`.
    static func seconds(_ ms: Milliseconds) -> String {
        let tenths = (ms + 50) / 100
        return "\(tenths / 10).\(tenths % 10)"
    }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private static func threeDigits(_ value: Int64) -> String {
        value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)"
    }
}

extension String {
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
