"""Interview mode: the judgement of the connection (good, trouble, down) and the watchers that feed it."""
