"""The POLE model: what each source system knows, kept with its provenance."""
