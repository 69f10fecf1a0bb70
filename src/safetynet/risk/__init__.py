"""The risk engine: a versioned policy, rules over each individual's picture, findings."""
