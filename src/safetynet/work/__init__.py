"""Work: tasks raised from risk findings, with owners, deadlines and escalation."""
