"""Backup and restore (`safetynet backup DIR`, `safetynet restore DIR`): docs/operations.md."""
