"""Helpers that import nothing from Django: business time, environment parsing."""
