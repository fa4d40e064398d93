import ActivityLoad
import ArgumentParser

/// Load generators that also verify what they sent. Only `activity` for now.
@main
struct CallsLoadgen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calls-loadgen",
        abstract: "Generate load against a calls deployment and verify the result.",
        subcommands: [ActivityCommand.self]
    )
}
