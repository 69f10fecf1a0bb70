"""safetynet: one picture of every child, for police and safeguarding partners."""

__version__ = "0.1.0"
