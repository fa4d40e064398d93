import CallsCore
import Foundation
import Testing

@Suite struct NewCallValidationTests {
    @Test func acceptsAValidCall() throws {
        let call = try NewCallRequest(
            caller: " +7 900 123-45-67 ", receiver: "442079460958", startedAt: "2026-11-21T09:30:00+03:00",
            tags: ["VIP", "vip", " sales "]
        ).validated()
        #expect(call.caller == "+7 900 123-45-67")
        #expect(call.callerDigits == "79001234567")
        #expect(call.receiverDigits == "442079460958")
        #expect(call.startedAt == Timestamp.parse("2026-11-21T06:30:00Z"))
        #expect(call.tags == ["vip", "sales"])
    }

    @Test func reportsEveryInvalidFieldAtOnce() {
        #expect {
            _ = try NewCallRequest(caller: "not a phone", receiver: nil, startedAt: "yesterday", tags: [""]).validated()
        } throws: { error in
            let fields = (error as? ValidationFailure)?.errors.map(\.field)
            return fields == ["caller", "receiver", "started_at", "tags"]
        }
    }

    @Test(arguments: ["a\u{0}b", "tab\there", "line\nbreak", "\u{7F}", "c1\u{85}"])
    func rejectsTagsWithControlCharacters(_ tag: String) {
        #expect {
            _ = try NewCallRequest(caller: "+100", receiver: "+200", startedAt: "2026-01-01T00:00:00Z", tags: [tag]).validated()
        } throws: { error in
            (error as? ValidationFailure)?.errors.map(\.field) == ["tags"]
        }
        #expect(throws: ValidationFailure.self) { try CallPatchRequest(tags: ["ok", tag]).validatedTags() }
    }

    @Test func rejectsTooManyTags() {
        let tags = (0...CallTags.maxCount).map { "t\($0)" }
        #expect(throws: ValidationFailure.self) {
            try NewCallRequest(caller: "+100", receiver: "+200", startedAt: "2026-01-01T00:00:00Z", tags: tags).validated()
        }
    }
}
