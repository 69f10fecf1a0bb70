"""One module per `safetynet` subcommand."""
