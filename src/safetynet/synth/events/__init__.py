"""What happens in the county over the period, and how it was recorded: one module per domain.

`simulation.Simulation.run()` walks the world domain by domain in a fixed order and writes events,
markers, orders and plans through `emit`; each practice failure a domain plants is added to
`failures` only when the records it writes really show it (the risk engine's recall is measured
against that list). Compliant records are written to satisfy the same clauses, so a finding on
them is a false positive.
"""
