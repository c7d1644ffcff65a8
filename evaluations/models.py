"""Models arrive with their issue (see docs/data-model.md)."""
