"""Async jobs (videos, music): lifecycle arithmetic and the media they produce.

Pure Python, no web imports: the conformance suite reuses the lifecycle as its oracle.
"""
