import CallsCore
import Testing

@Suite struct StorageSettingsTests {
    let s3 = [
        "CALLS_STORAGE": "s3", "CALLS_S3_BUCKET": "call-recordings", "CALLS_S3_ACCESS_KEY_ID": "AKID",
        "CALLS_S3_SECRET_ACCESS_KEY": "secret",
    ]

    @Test func localIsTheDefault() throws {
        #expect(try StorageSettings(environment: EnvironmentVariables([:])) == .local)
        #expect(try StorageSettings(environment: EnvironmentVariables(["CALLS_STORAGE": "LOCAL"])) == .local)
    }

    @Test func withoutAnEndpointItIsAWSInTheRegionVirtualHosted() throws {
        var values = s3
        values["CALLS_S3_REGION"] = "eu-west-1"
        values["CALLS_S3_SESSION_TOKEN"] = "token"
        #expect(
            try StorageSettings(environment: EnvironmentVariables(values))
                == .s3(
                    S3StorageSettings(
                        secure: true, host: "s3.eu-west-1.amazonaws.com", port: nil, bucket: "call-recordings", region: "eu-west-1",
                        accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token", pathStyle: false)))
    }

    @Test func anExplicitEndpointIsPathStyleUnlessToldOtherwise() throws {
        var values = s3
        values["CALLS_S3_ENDPOINT"] = "http://127.0.0.1:9000"
        guard case .s3(let settings) = try StorageSettings(environment: EnvironmentVariables(values)) else {
            Issue.record("not S3")
            return
        }
        #expect(!settings.secure && settings.host == "127.0.0.1" && settings.port == 9000 && settings.pathStyle)
        values["CALLS_S3_PATH_STYLE"] = "false"
        #expect(try StorageSettings(environment: EnvironmentVariables(values)) != .s3(settings))
    }

    @Test(arguments: [
        ("CALLS_STORAGE", "ftp"),
        ("CALLS_S3_BUCKET", nil as String?),
        ("CALLS_S3_BUCKET", "Upper_Case"),
        ("CALLS_S3_BUCKET", "ab"),
        ("CALLS_S3_ACCESS_KEY_ID", nil),
        ("CALLS_S3_SECRET_ACCESS_KEY", nil),
        ("CALLS_S3_ENDPOINT", "ftp://host"),
        ("CALLS_S3_ENDPOINT", "http://host:9000/bucket"),
        ("CALLS_S3_ENDPOINT", "not a url"),
        ("CALLS_S3_PATH_STYLE", "sometimes"),
    ])
    func namesTheVariableThatIsWrong(variable: String, value: String?) {
        var values = s3
        values[variable] = value
        #expect {
            _ = try StorageSettings(environment: EnvironmentVariables(values))
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }
}
