import Foundation

extension Problem {
    static func cdrNotFound(_ id: String) -> Problem {
        Problem(.notFound, code: "cdr_not_found", title: "CDR not found", detail: "No call detail record has the id '\(id)'.")
    }
}
