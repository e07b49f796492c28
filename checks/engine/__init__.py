"""Finding and running checks: discovery through the entry points, the runner, the bounded waits behind every
deadline, the registry of categories and devices, and the thresholds each check is given."""
