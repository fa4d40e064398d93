#if canImport(Glibc)
import Glibc
#endif

public enum JournalError: Error, Equatable, CustomStringConvertible {
    case io(String, Int32)
    /// A bad line followed by good ones: not a torn tail but damage that replaying past would hide.
    case corrupt(path: String, line: Int)
    /// A `created` line whose call id is not a UUID (intact, so not a torn write): it must not go into a URL.
    /// Also thrown, with the line it would have been, when such a line is about to be written.
    case invalidCallID(path: String, line: Int)
    case locked(String)
    /// An earlier write failed and could not be undone; the process must restart to replay the file.
    case unusable(String)

    public var description: String {
        switch self {
        case .io(let what, let code): "\(what): \(String(cString: strerror(code)))"
        case .corrupt(let path, let line):
            "\(path): line \(line) is damaged but lines after it are not; it is not a torn last write, so it is left for a person to inspect"
        case .invalidCallID(let path, let line):
            "\(path): line \(line) names a call id that is not a UUID, which is never sent; remove that line and the pair's create is repeated, which the service answers with the call its key made"
        case .locked(let path): "\(path) is in use by another calls-ingest; give each one its own --state directory"
        case .unusable(let path): "\(path): an earlier write failed and could not be rolled back; restart to replay the journal"
        }
    }
}
