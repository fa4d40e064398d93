import PostgresNIO

/// Tells an outage (retry later) from a bug (fix the code).
public enum DatabaseErrors {
    public static func isUnavailable(_ error: any Error) -> Bool {
        if error is DatabaseTimeout { return true }
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError ?? transaction.beginError {
            return isUnavailable(inner)
        }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            return true
        case .server:
            // Class 08 (connection exception) and 57P0x (shutdown, starting up, crash recovery).
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P")
        default:
            return false
        }
    }
}
