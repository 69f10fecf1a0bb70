"""The `safetynet` console command. Commands are thin: they parse, then call services."""
