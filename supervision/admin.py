"""The supervision group's configuration in the admin (P5): nothing yet."""
