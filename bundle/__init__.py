"""Building the double-clickable app with PyInstaller (see ./build and bundle/interview-ready.spec)."""
