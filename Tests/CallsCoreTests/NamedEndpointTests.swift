import CallsCore
import Foundation
import Testing

@Suite struct NamedEndpointTests {
    @Test func readsEveryEntryInOrder() throws {
        let endpoints = try NamedEndpoint.parseList(
            " crm=http://10.0.0.5:8080/api ; pbx2=https://pbx2.example/v1;", variable: "CALLS_SOURCES")
        #expect(endpoints.map(\.name) == ["crm", "pbx2"])
        #expect(endpoints.map(\.url.absoluteString) == ["http://10.0.0.5:8080/api", "https://pbx2.example/v1"])
    }

    @Test func anEmptySettingIsAnEmptyList() throws {
        #expect(try NamedEndpoint.parseList("", variable: "CALLS_SOURCES").isEmpty)
        #expect(try NamedEndpoint.parseList(" ; ", variable: "CALLS_SOURCES").isEmpty)
    }

    @Test(arguments: [
        "crm", "=http://a", "c rm=http://a", "crm=ftp://a", "crm=http://", "crm=http://a;crm=http://b",
        "crm=http://user:pw@a", "crm=http://a?x=1", "crm=http://a#f", "\(String(repeating: "n", count: 33))=http://a",
    ])
    func refusesWhatIsNotANamedHTTPURL(_ text: String) {
        #expect(throws: ConfigurationError.self) { try NamedEndpoint.parseList(text, variable: "CALLS_SOURCES") }
    }
}
