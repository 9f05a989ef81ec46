"""Fault injection and named scenarios: the sandbox's own way to make things go wrong."""
