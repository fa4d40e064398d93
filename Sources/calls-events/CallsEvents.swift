import ArgumentParser

/// The PBX-side tools of the event path. Only `tail` for now; the group leaves room for more.
@main
struct CallsEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls-events",
        abstract: "Telephony events for the calls service.",
        subcommands: [Tail.self]
    )
}
