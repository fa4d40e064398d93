import CallsCore
import Foundation
import Testing

@Suite struct SourcePageTests {
    func parse(
        _ json: String, cursor: Int64 = 0, limit: Int = 3, collection: SourceCollection = .operators
    ) throws(SourcePageError)
        -> SourcePage
    {
        try SourcePage.parse(Data(json.utf8), collection: collection, cursor: cursor, limit: limit)
    }

    func op(_ id: Int) -> String { #"{"operator_id": \#(id), "name": "n\#(id)"}"# }

    @Test func aFullPageGoesOnAtOnce() throws {
        let page = try parse(#"{"results": [\#(op(5)), \#(op(6)), \#(op(9))], "next_cursor": 9}"#, cursor: 4)
        #expect(page.items.count == 3)
        #expect(page.cursorAfter == 9)
        #expect(!page.caughtUp)
    }

    @Test func aShortPageIsCaughtUp() throws {
        let page = try parse(#"{"results": [\#(op(5))], "next_cursor": null}"#, cursor: 4)
        #expect(page.cursorAfter == 5)
        #expect(page.caughtUp)
    }

    /// A source that caps `limit` lower than asked still pages on.
    @Test func aShortPageWithANextCursorGoesOn() throws {
        let page = try parse(#"{"results": [\#(op(5)), \#(op(6))], "next_cursor": 6}"#, cursor: 4)
        #expect(page.cursorAfter == 6 && !page.caughtUp)
    }

    @Test func anEmptyPageKeepsTheCursor() throws {
        let page = try parse(#"{"results": [], "next_cursor": null}"#, cursor: 42)
        #expect(page.items.isEmpty)
        #expect(page.cursorAfter == 42)
        #expect(page.caughtUp)
    }

    @Test(arguments: [
        ("garbage", "not a JSON object"),
        ("<html>502</html>", "not a JSON object"),
        ("[]", "not a JSON object"),
        (#"{"results": {}, "next_cursor": null}"#, "'results' is not an array"),
        (#"{"next_cursor": null}"#, "'results' is not an array"),
        (#"{"results": []}"#, "'next_cursor' is missing"),
        (#"{"results": [], "next_cursor": "7"}"#, "'next_cursor' is neither"),
        (#"{"results": [1], "next_cursor": null}"#, "result 0 has no integer 'operator_id'"),
        (#"{"results": [{"operator_id": "5"}], "next_cursor": null}"#, "result 0 has no integer 'operator_id'"),
        (#"{"results": [{"operator_id": 4}], "next_cursor": null}"#, "not after the cursor 4"),
        (#"{"results": [{"operator_id": 6}, {"operator_id": 5}], "next_cursor": null}"#, "not sorted"),
        (#"{"results": [{"operator_id": 6}, {"operator_id": 6}], "next_cursor": null}"#, "not sorted"),
        (#"{"results": [], "next_cursor": 9}"#, "on an empty page"),
        (#"{"results": [{"operator_id": 5}, {"operator_id": 6}], "next_cursor": 5}"#, "last result's id is 6"),
        (#"{"results": [{"operator_id": 5}, {"operator_id": 6}, {"operator_id": 7}], "next_cursor": 8}"#, "last result's id is 7"),
        (
            #"{"results": [{"operator_id": 5}, {"operator_id": 6}, {"operator_id": 7}, {"operator_id": 8}], "next_cursor": null}"#,
            "4 results for a limit of 3"
        ),
    ])
    func pagesThatBreakTheProtocolAreRefused(_ json: String, _ reason: String) {
        #expect {
            _ = try parse(json, cursor: 4)
        } throws: { error in
            (error as? SourcePageError)?.reason.contains(reason) == true
        }
    }

    @Test func eachCollectionPagesByItsOwnID() throws {
        let page = try parse(#"{"results": [{"event_id": 3, "call_id": 1}], "next_cursor": null}"#, collection: .callEvents)
        #expect(page.cursorAfter == 3)
        #expect(throws: SourcePageError.self) {
            try parse(#"{"results": [{"call_id": 3}], "next_cursor": null}"#, collection: .callEvents)
        }
    }
}
