"""The built-in checks, registered in the entry-point group ``interview_ready.checks`` exactly like third-party
ones (pyproject.toml)."""
