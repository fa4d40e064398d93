import Testing

/// Every test that talks to the real PostgreSQL and Redis. Serialized: some tests stop and start servers.
@Suite(.serialized, .enabled(if: TestServices.mustRun, "needs CALLS_TEST_DATABASE_URL and CALLS_TEST_REDIS_URL (make test)"))
struct IntegrationSuite {}
