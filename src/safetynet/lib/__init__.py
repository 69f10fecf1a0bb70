"""Small shared helpers with no domain knowledge: the clock, logging, health."""
