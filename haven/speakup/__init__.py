"""Speak-up: the private incident journal, collective reports held in escrow until several
people name the same person, and case handling (docs/speakup.md)."""
