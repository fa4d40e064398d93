import CallsCore
import Testing

/// Callback URLs must not turn the service against its own network.
@Suite struct CallbackTargetTests {
    @Test(arguments: [
        "https://crm.example.com/hooks/calls", "http://93.184.215.14:8080/cb?x=1", "https://[2a00:1450:4001::1]/cb",
        "http://172.32.0.1/outside-172.16/12", "http://[::ffff:8.8.8.8]/cb",
    ])
    func publicTargetsAreAccepted(url: String) {
        #expect(CallbackTarget.problem(with: url, allowPrivate: false) == nil)
    }

    @Test(arguments: [
        "http://localhost/cb", "http://api.localhost/cb", "http://127.0.0.1:9000/cb", "http://10.1.2.3/cb",
        "http://172.16.0.1/cb", "http://172.31.255.255/cb", "http://192.168.1.1/cb", "http://169.254.169.254/latest",
        "http://100.64.0.1/cb", "http://0.0.0.0/cb", "http://[::1]/cb", "http://[fc00::1]/cb", "http://[fd12::1]/cb",
        "http://[fe80::1]/cb", "http://[::ffff:127.0.0.1]/cb", "http://224.0.0.1/cb",
        // Missed before: benchmarking, reserved, IETF, documentation, NAT64, 6to4, Teredo, IPv4-compatible.
        "http://198.18.0.1/cb", "http://240.0.0.1/cb", "http://255.255.255.255/cb", "http://192.0.0.8/cb",
        "http://203.0.113.7/cb", "http://[64:ff9b::a9fe:a9fe]/latest", "http://[2002:7f00:1::1]/cb",
        "http://[2001:0:4136:e378::1]/cb", "http://[2001:db8::1]/cb", "http://[::7f00:1]/cb", "http://[::ffff:a00:1]/cb",
        // Spellings the resolver reads as loopback: short and numeric IPv4 forms, an absolute name.
        "http://127.1/cb", "http://2130706433/cb", "http://0x7f000001/cb", "http://localhost./cb", "http://LOCALHOST/cb",
        // A zone id scopes a link-local address to an interface.
        "http://[fe80::1%25eth0]/cb", "http://[fe80::1%25lo]:8080/cb",
    ])
    func internalTargetsAreRefusedUnlessAllowed(url: String) {
        #expect(CallbackTarget.problem(with: url, allowPrivate: false)?.contains("loopback") == true, "\(url)")
        #expect(CallbackTarget.problem(with: url, allowPrivate: true) == nil)
    }

    @Test(arguments: ["ftp://example.com/x", "example.com/cb", "https://", "https://user:pw@example.com/cb", "not a url"])
    func malformedTargetsAreRefusedEvenWhenPrivateOnesAreAllowed(url: String) {
        #expect(CallbackTarget.problem(with: url, allowPrivate: true) != nil, "\(url)")
    }

    @Test func callbacksNeedAKeyOfAtLeast32Characters() throws {
        #expect(try CallbackPolicy.from(EnvironmentVariables([:])) == nil)
        let key = String(repeating: "k", count: 32)
        let policy = try CallbackPolicy.from(
            EnvironmentVariables([
                "CALLS_CALLBACK_SIGNING_KEY": key, "CALLS_ALLOW_PRIVATE_CALLBACKS": "true", "CALLS_CALLBACK_MAX_ATTEMPTS": "4",
            ]))
        #expect(policy == CallbackPolicy(signingKey: key, allowPrivate: true, maxAttempts: 4))
        for (variable, value) in [
            ("CALLS_CALLBACK_SIGNING_KEY", "short"), ("CALLS_ALLOW_PRIVATE_CALLBACKS", "perhaps"),
            ("CALLS_CALLBACK_MAX_ATTEMPTS", "0"),
        ] {
            var values = ["CALLS_CALLBACK_SIGNING_KEY": key]
            values[variable] = value
            #expect { try CallbackPolicy.from(EnvironmentVariables(values)) } throws: {
                ($0 as? ConfigurationError)?.variable == variable
            }
        }
    }

    @Test func aCallbackURLWithoutCallbacksConfiguredIsAValidationError() throws {
        let request = NewCallRequest(
            caller: "+1 555 0100", receiver: "+1 555 0101", startedAt: "2026-11-21T09:30:00Z",
            callbackUrl: "https://crm.example.com/cb")
        #expect { try request.validated(callbacks: nil) } throws: {
            ($0 as? ValidationFailure)?.errors.map(\.field) == ["callback_url"]
        }
        #expect(
            try request.validated(callbacks: CallbackPolicy(signingKey: String(repeating: "k", count: 32))).callbackURL
                == "https://crm.example.com/cb")
    }
}
