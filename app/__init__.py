"""Interview Ready's desktop app and command line. Only this package imports PySide6 (lazily, for the window)."""
