@testable import CallsAPI
import CallsCore
import CallsStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// `GET /cdrs` and `GET /cdrs/{id}` over the in-memory twin: the JSON shape, keyset paging, CSV, and every
/// refused parameter.
@Suite struct CdrRoutesTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    static func records(_ count: Int, seed: UInt64 = 7) -> [CallDetailRecord] {
        var random = RandomCdrs(seed: seed)
        return random.make(count: count, from: start, seconds: 30 * 86_400)
    }

    static func run(
        _ store: InMemoryCdrStore, live: Bool = false, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    )
        async throws
    {
        try await RouteHarness.run(live: live, configure: { $0.cdrs = store }) { _, client in try await body(client) }
    }

    /// Every page of `path` (which has no cursor yet), following `next_cursor`.
    static func pages(_ client: any TestClientProtocol, _ path: String) async throws -> [[[String: Any]]] {
        var pages: [[[String: Any]]] = []
        var cursor: String?
        repeat {
            let uri = path + (cursor.map { "&cursor=\($0)" } ?? "")
            let object = try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok, "\(uri)")
                return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
            }
            pages.append(object["items"] as! [[String: Any]])
            cursor = object["next_cursor"] as? String
            #expect(object.keys.contains("next_cursor"))
        } while cursor != nil && pages.count < 100
        return pages
    }

    @Test func anItemHasEveryFieldWithNullsAndRFC3339Times() async throws {
        var made = Self.records(1)[0]
        made.operatorID = nil
        made.operatorName = nil
        made.waitSeconds = nil
        made.callRowID = UUID(uuidString: "0A1B2C3D-0000-4000-8000-000000000001")
        let record = made
        let store = InMemoryCdrStore([record])
        try await Self.run(store) { client in
            let one = try await client.execute(uri: "/cdrs/\(record.id)", method: .get) { response in
                #expect(response.status == .ok)
                return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
            }
            let keys = CdrCSV.header.trimmingCharacters(in: .newlines).split(separator: ",").map(String.init)
            #expect(Set(one.keys) == Set(keys))
            #expect(one.count == 26)
            #expect(one["operator_id"] is NSNull && one["operator_name"] is NSNull && one["wait_seconds"] is NSNull)
            #expect(one["call_row_id"] as? String == "0a1b2c3d-0000-4000-8000-000000000001")
            #expect(one["start_time"] as? String == Timestamp.format(record.startTime))
            #expect((one["start_time"] as? String)?.hasSuffix("Z") == true)
            #expect(one["answered"] as? Bool == record.answered)
            #expect(one["kind"] as? String == record.kind.rawValue)
            let listed = try await Self.pages(client, "/cdrs?limit=5")
            #expect(listed.count == 1 && listed[0].count == 1)
            let sorted: ([String: Any]) throws -> Data = { try JSONSerialization.data(withJSONObject: $0, options: .sortedKeys) }
            #expect(try sorted(listed[0][0]) == (try sorted(one)))
        }
    }

    @Test func pagesNewestFirstGiveEveryRecordExactlyOnce() async throws {
        let records = Self.records(257)
        let store = InMemoryCdrStore(records)
        try await Self.run(store) { client in
            let pages = try await Self.pages(client, "/cdrs?limit=100")
            #expect(pages.map(\.count) == [100, 100, 57])
            let ids = pages.flatMap { $0 }.map { ($0["id"] as! NSNumber).int64Value }
            #expect(Set(ids).count == 257)
            let expected = records.sorted { ($0.startTime, $0.id) > ($1.startTime, $1.id) }.map(\.id)
            #expect(ids == expected)
            // The default page is 100.
            #expect(try await Self.pages(client, "/cdrs?from=2026-01-01T00:00:00Z").first?.count == 100)
        }
    }

    @Test func filtersCombine() async throws {
        let records = Self.records(400)
        let store = InMemoryCdrStore(records)
        try await Self.run(store) { client in
            let from = Self.start.addingTimeInterval(5 * 86_400 + 123.456)
            let to = Self.start.addingTimeInterval(20 * 86_400)
            let path =
                "/cdrs?limit=7&from=\(Timestamp.format(from))&to=\(Timestamp.format(to))&source=crm&result=resolved&operator_id=3"
            let ids = try await Self.pages(client, path).flatMap { $0 }.map { ($0["id"] as! NSNumber).int64Value }
            let expected = records.filter {
                $0.startTime >= from && $0.startTime < to && $0.source == "crm" && $0.callResult == "resolved" && $0.operatorID == 3
            }
            .sorted { ($0.startTime, $0.id) > ($1.startTime, $1.id) }.map(\.id)
            #expect(!expected.isEmpty)
            #expect(ids == expected)
        }
    }

    /// Several thousand records stream as one chunked CSV read page by page, equal to the JSON pages joined.
    @Test func csvStreamsTheWholeRangeEqualToTheJSONPages() async throws {
        let records = Self.records(3500, seed: 11)
        let store = InMemoryCdrStore(records)
        try await Self.run(store, live: true) { client in
            let json = try await Self.pages(client, "/cdrs?limit=1000&source=crm").flatMap { $0 }
            let readsBefore = store.pageReads
            let (headers, text) = try await client.execute(
                uri: "/cdrs?source=crm&limit=3", method: .get, headers: [.accept: "text/csv"]
            ) { response in
                #expect(response.status == .ok)
                return (response.headers, String(buffer: response.body))
            }
            #expect(headers[.contentType] == "text/csv; charset=utf-8; header=present")
            #expect(headers[.transferEncoding] == "chunked")
            #expect(headers[.contentLength] == nil)
            let rows = CSVText.parse(text)
            #expect(rows.first == CdrCSV.header.trimmingCharacters(in: .newlines).split(separator: ",").map(String.init))
            #expect(rows.count - 1 == json.count)
            #expect(json.count > 1000, "enough rows for several internal pages")
            // `limit` does not apply to CSV; the file is read a page of 1000 at a time.
            #expect(store.pageReads - readsBefore == (json.count + 999) / 1000)
            let columns = rows[0]
            for (row, item) in zip(rows.dropFirst(), json) {
                #expect(row.count == columns.count)
                for (column, cell) in zip(columns, row) {
                    #expect(cell == Self.csvCell(item[column], column: column), "\(column) of \(item["id"]!)")
                }
            }
            #expect(rows.dropFirst().contains { $0[14] == "" } && rows.dropFirst().contains { $0[18] == "" }, "nulls are empty cells")
        }
    }

    /// What the CSV must hold for a JSON item's value: text defused (every phone starts with +), numbers and
    /// booleans as written, null empty.
    static func csvCell(_ value: Any?, column: String) -> String {
        let text = [
            "kind", "source", "call_key", "initiator_phone", "call_type", "scenario_id", "operator_name", "call_result", "queue", "agent",
        ]
        switch value {
        case nil, is NSNull: return ""
        case let string as String: return text.contains(column) && "=+-@".contains(string.first ?? " ") ? "'" + string : string
        case let number as NSNumber:
            return ["answered", "complete"].contains(column) ? (number.boolValue ? "true" : "false") : "\(number)"
        default: return "unexpected \(value!)"
        }
    }

    @Test func csvQuotesAndDefusesTextCells() async throws {
        var made = Self.records(1)[0]
        made.operatorName = "Smith, \"Jo\"\nline"
        made.scenarioID = "=HYPERLINK(\"http://x\")"
        made.callResult = "@SUM(1)"
        made.queue = "-2+3"
        made.agent = "plain"
        let record = made
        #expect(CdrCSV.text(record.operatorName!) == "\"Smith, \"\"Jo\"\"\nline\"")
        #expect(CdrCSV.text("=1+2") == "'=1+2")
        #expect(CdrCSV.text("\tx") == "'\tx")
        #expect(CdrCSV.text("a=b") == "a=b")
        let store = InMemoryCdrStore([record])
        try await Self.run(store) { client in
            let text = try await client.execute(uri: "/cdrs", method: .get, headers: [.accept: "text/csv"]) { String(buffer: $0.body) }
            #expect(text.hasSuffix("\r\n"))
            let row = CSVText.parse(text)[1]
            #expect(row.count == 26)
            #expect(row[9] == "'=HYPERLINK(\"http://x\")")
            #expect(row[14] == "Smith, \"Jo\"\nline")
            #expect(row[15] == "'@SUM(1)")
            #expect(row[22] == "'-2+3")
            #expect(row[23] == "plain")
            #expect(row[12] == "\(record.durationSeconds)", "numbers are not prefixed")
        }
    }

    @Test func csvIsChosenOnlyWhenAcceptNamesIt() {
        #expect(CdrCSV.isRequested(accept: ["text/csv"]))
        #expect(CdrCSV.isRequested(accept: ["application/json;q=0.5, Text/CSV; charset=utf-8"]))
        #expect(!CdrCSV.isRequested(accept: ["application/json", "*/*"]))
        #expect(!CdrCSV.isRequested(accept: []))
    }

    /// A page that fails after the first ends the stream without its last chunk: no client takes it for a
    /// whole file.
    @Test func aFailureMidStreamCutsTheCSVOff() async throws {
        let store = InMemoryCdrStore(Self.records(2500))
        store.failPageReads(after: 1)
        try await Self.run(store, live: true) { client in
            do {
                let text = try await client.execute(uri: "/cdrs", method: .get, headers: [.accept: "text/csv"]) { String(buffer: $0.body) }
                // The client kept what arrived: the header and the first page, not the 2500 rows.
                #expect(CSVText.parse(text).count < 2501)
            } catch {
                // The connection closed before the last chunk: the client saw the failure.
            }
            #expect(store.pageReads == 1)
        }
    }

    @Test func refusedParametersAreProblemsNamingTheField() async throws {
        let store = InMemoryCdrStore(Self.records(3))
        try await Self.run(store) { client in
            let cases: [(String, String)] = [
                ("/cdrs?from=yesterday", "from"),
                ("/cdrs?to=2026-13-01T00:00:00Z", "to"),
                ("/cdrs?from=2026-01-02T00:00:00Z&to=2026-01-02T00:00:00Z", "to"),
                ("/cdrs?from=2026-01-03T00:00:00Z&to=2026-01-02T00:00:00Z", "to"),
                ("/cdrs?limit=0", "limit"),
                ("/cdrs?limit=1001", "limit"),
                ("/cdrs?limit=ten", "limit"),
                ("/cdrs?cursor=abc", "cursor"),
                ("/cdrs?cursor=\(Data("v1.d.1.x".utf8).base64EncodedString())", "cursor"),
                ("/cdrs?operator_id=-1", "operator_id"),
                ("/cdrs?operator_id=x", "operator_id"),
                ("/cdrs?source=\(String(repeating: "s", count: 201))", "source"),
                // PostgreSQL refuses U+0000 in a parameter: a problem here, never a 500 there.
                ("/cdrs?source=crm%00", "source"),
                ("/cdrs?result=a%01b", "result"),
            ]
            for (uri, field) in cases {
                try await client.execute(uri: uri, method: .get, headers: [.accept: "text/csv"]) { response in
                    #expect(response.status == .unprocessableContent, "\(uri)")
                    #expect(response.headers[.contentType] == Problem.contentType)
                    let problem = JSONBody(response.body).problem
                    #expect(problem?.code == "validation_failed", "\(uri)")
                    #expect(problem?.errors?.map(\.field) == [field], "\(uri)")
                }
            }
            for id in ["999", "0", "abc", "-1"] {
                try await client.execute(uri: "/cdrs/\(id)", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(problemCode(response) == "cdr_not_found")
                }
            }
        }
    }
}

/// RFC 4180 read back, for checking what the API wrote.
enum CSVText {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var characters = text.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" {
                        cell.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    cell.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(cell)
                cell = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(cell)
                rows.append(row)
                (row, cell) = ([], "")
            } else {
                cell.append(character)
            }
        }
        if !cell.isEmpty || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        return rows
    }
}
