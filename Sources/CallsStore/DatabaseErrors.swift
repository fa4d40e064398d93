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
            // Class 08 (connection exception), 57P0x (shutdown, starting up, crash recovery), 57014 (a
            // statement cancelled by statement_timeout: the database is too busy to answer in time) and 55P03
            // (a lock not granted in time).
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P") || state == "57014" || state == "55P03"
        default:
            return false
        }
    }

    /// The database refused the data itself (class 22 data exception, 23 integrity constraint, 54 program
    /// limit): sending the same again fails the same way.
    public static func isDataError(_ error: any Error) -> Bool {
        if let transaction = error as? PostgresTransactionError, let inner = transaction.closureError ?? transaction.commitError {
            return isDataError(inner)
        }
        guard let error = error as? PSQLError, error.code == .server else { return false }
        let state = error.serverInfo?[.sqlState] ?? ""
        return state.hasPrefix("22") || state.hasPrefix("23") || state.hasPrefix("54")
    }
}
