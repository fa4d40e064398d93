#if canImport(Glibc)
import Glibc
#endif

public enum TailError: Error, CustomStringConvertible {
    /// A system call failed.
    case io(String, Int32)
    /// The API refused the request in a way no retry can fix (400, 401, 403, other 4xx).
    case refused(status: Int, detail: String)
    case invalidStateFile(String)

    public var description: String {
        switch self {
        case .io(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .refused(let status, let detail): "the API refused the events (HTTP \(status)): \(detail)"
        case .invalidStateFile(let why): "state file: \(why)"
        }
    }
}
