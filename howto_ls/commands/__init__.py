"""The command-line subcommands' flows, each over the engine."""
