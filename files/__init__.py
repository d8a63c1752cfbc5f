"""The files the tool writes: whole or not at all, never through a link or outside their folder."""
