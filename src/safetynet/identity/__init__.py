"""Record linkage: every source record about a person linked into one Individual."""
