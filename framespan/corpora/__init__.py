"""Corpus readers and writers; every one yields framespan Documents."""
