@testable import CallsStore
import Testing

/// Which statements `DatabaseClient` runs inside BEGIN … COMMIT (see `StatementEffects`).
@Suite struct StatementEffectsTests {
    @Test func writesAreToldFromReads() {
        let writes = [
            "INSERT INTO t VALUES (1)", "update t set a = 1", "WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x",
            "SELECT activity_ensure_partition($1::date)", "SELECT nextval('s')", "select * from t for update skip locked",
            "CREATE TABLE t (a int)",
        ]
        for sql in writes { #expect(StatementEffects.mayChangeData(sql), "\(sql)") }
        let reads = [
            "SELECT updated_at, created_by FROM calls WHERE status = 'insert' AND note = 'drop it'",
            "SELECT count(*) FROM activity_user_daily WHERE user_id = $1", "select deleted_at from t",
        ]
        for sql in reads { #expect(!StatementEffects.mayChangeData(sql), "\(sql)") }
        // A write word inside a literal does not count, one after it does; case does not matter.
        #expect(!StatementEffects.mayChangeData("SELECT 'it''s an insert' AS note"))
        #expect(StatementEffects.mayChangeData("SELECT 'x'; Delete FROM t"))
    }
}
