import CallsStore
import Foundation
import Testing

/// How a statistics period is split between `cdrs` and the hourly, daily and monthly rollups.
@Suite struct StatisticsSpansTests {
    typealias Span = StatisticsSpans.Span

    static func at(_ text: String) -> Date {
        try! Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    @Test func unalignedEndsComeFromCdrsAndWholeUnitsFromTheCoarsestRollups() {
        let from = Self.at("2026-01-30T22:59:09.500Z")
        let to = Self.at("2026-04-02T02:00:12.000Z")
        #expect(
            StatisticsSpans(from: from, to: to, coarsest: .month).spans == [
                Span(grain: .raw, from: from, to: Self.at("2026-01-30T23:00:00.000Z")),
                Span(grain: .hour, from: Self.at("2026-01-30T23:00:00.000Z"), to: Self.at("2026-01-31T00:00:00.000Z")),
                Span(grain: .day, from: Self.at("2026-01-31T00:00:00.000Z"), to: Self.at("2026-02-01T00:00:00.000Z")),
                Span(grain: .month, from: Self.at("2026-02-01T00:00:00.000Z"), to: Self.at("2026-04-01T00:00:00.000Z")),
                Span(grain: .day, from: Self.at("2026-04-01T00:00:00.000Z"), to: Self.at("2026-04-02T00:00:00.000Z")),
                Span(grain: .hour, from: Self.at("2026-04-02T00:00:00.000Z"), to: Self.at("2026-04-02T02:00:00.000Z")),
                Span(grain: .raw, from: Self.at("2026-04-02T02:00:00.000Z"), to: to),
            ])
        let days = StatisticsSpans(from: from, to: to, coarsest: .day).spans
        #expect(days.map(\.grain) == [.raw, .hour, .day, .hour, .raw])
        #expect(days[2] == Span(grain: .day, from: Self.at("2026-01-31T00:00:00.000Z"), to: Self.at("2026-04-02T00:00:00.000Z")))
        let hours = StatisticsSpans(from: from, to: to, coarsest: .hour).spans
        #expect(hours.map(\.grain) == [.raw, .hour, .raw])
    }

    @Test func withinOneOrTwoHoursEverythingComesFromCdrs() {
        let from = Self.at("2026-01-01T00:10:00.000Z")
        let to = Self.at("2026-01-01T01:01:00.000Z")
        #expect(StatisticsSpans(from: from, to: to, coarsest: .month).spans == [Span(grain: .raw, from: from, to: to)])
        let aligned = StatisticsSpans(from: Self.at("2026-03-01T00:00:00.000Z"), to: Self.at("2026-05-01T00:00:00.000Z"), coarsest: .month)
        #expect(aligned.spans.map(\.grain) == [.month])
    }

    /// Over many random periods the spans tile the period exactly, in order, and every span but raw ones
    /// starts and ends on its grain's boundaries.
    @Test func spansTileThePeriod() {
        var generator = SystemRandomNumberGenerator()
        let base = Self.at("2026-01-01T00:00:00.000Z").timeIntervalSince1970
        for _ in 0..<2000 {
            let from = Date(
                timeIntervalSince1970: base + Double(Int.random(in: -9_000_000...9_000_000, using: &generator)) / [1, 1, 4].randomElement()!
            )
            let to = from.addingTimeInterval(Double(Int.random(in: 1...120 * 86_400, using: &generator)) / [1, 1, 3].randomElement()!)
            for coarsest in StatisticsSpans.Grain.allCases {
                let spans = StatisticsSpans(from: from, to: to, coarsest: coarsest).spans
                #expect(spans.first?.from == from && spans.last?.to == to)
                for (left, right) in zip(spans, spans.dropFirst()) { #expect(left.to == right.from) }
                for span in spans {
                    #expect(span.from < span.to)
                    #expect(span.grain <= coarsest)
                    if span.grain != .raw {
                        #expect(StatisticsSpans.floor(span.from, to: span.grain) == span.from)
                        #expect(StatisticsSpans.floor(span.to, to: span.grain) == span.to)
                    }
                }
            }
        }
    }
}
