import CallsCore
import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL side of CDR exports (migration 0018): scheduling per consumer (a cursor over
/// `cdrs.change_seq`), batches, and the delivery state of every CDR per consumer. See README "Exporting CDRs".
public struct PostgresCdrExports: Sendable {
    let client: DatabaseClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger, deadline: Duration? = DatabaseDeadline.defaultLimit) {
        self.client = DatabaseClient(client, deadline: deadline)
        self.logger = logger
    }
}
