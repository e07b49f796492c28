"""What the app keeps on the disk, and how: files written whole or not at all, the opt-in history of reports,
and the remembered choice of devices and language."""
