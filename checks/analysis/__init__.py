"""Pure analysis: frames and sound in, numbers and dataclasses out, no I/O and no Qt."""
