"""What the tests share: real servers (PulseAudio, the network lab, Xvfb), real sounds and scenes, small real
checks and plugins, and the probes and picture-takers run as ``python -m tests.support.NAME``."""
