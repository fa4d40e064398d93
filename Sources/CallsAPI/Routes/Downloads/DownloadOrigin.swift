import Foundation
import HTTPTypes

/// Where the API's own download URLs point. Never the request's `Host` on the client's word alone: anyone can
/// send any `Host`, and a link built from it would send the recording's signed URL to a server of their choice.
enum DownloadOrigin: Sendable, Equatable {
    /// `CALLS_PUBLIC_URL`: the address clients reach the API at, without a trailing slash.
    case configured(String)
    /// `CALLS_TRUST_FORWARDED_HEADERS=true`: a proxy the operator vouches for names the scheme
    /// (`X-Forwarded-Proto`) and host (`X-Forwarded-Host`, else the `Host` it passed on). Without a usable
    /// scheme the URL stays relative.
    case forwarded
    /// A path alone (`/recordings/…`), which the client resolves against the address it called.
    case relative

    init(publicURL: String?, trustForwardedHeaders: Bool) {
        if let publicURL {
            self = .configured(publicURL)
        } else {
            self = trustForwardedHeaders ? .forwarded : .relative
        }
    }

    /// What goes in front of `/recordings/…`: `scheme://host[:port]`, or nothing for a relative URL.
    func prefix(headers: HTTPFields, authority: String?) -> String {
        switch self {
        case .configured(let url):
            return url
        case .relative:
            return ""
        case .forwarded:
            guard let scheme = Self.last(headers[Self.forwardedProto])?.lowercased(), ["http", "https"].contains(scheme),
                let host = Self.last(headers[Self.forwardedHost]) ?? authority, Self.isHost(host)
            else { return "" }
            return "\(scheme)://\(host)"
        }
    }

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!

    /// Proxies append to the list, so only the last entry was written by the trusted proxy in front of the
    /// API; the ones before it may come from the client.
    private static func last(_ value: String?) -> String? {
        guard let entry = value?.split(separator: ",", omittingEmptySubsequences: false).last else { return nil }
        let trimmed = entry.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `name[:port]` or `[v6]:port`, nothing that could end the authority early (`/`, `@`, `?`, `#`, spaces).
    private static func isHost(_ text: String) -> Bool {
        text.utf8.count <= 255
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                        || ("0"..."9").contains(scalar) || ".-:[]".unicodeScalars.contains(scalar))
            }
    }
}
