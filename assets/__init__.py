"""Data shipped with the app: thresholds, wording, report schema, demo media."""
