"""Data package: style sheet, icons and the bundled sample studies (see samples/SOURCES.md)."""
