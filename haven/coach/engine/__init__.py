"""The empathy coach's analysis engine: pure Python, no Django (an import-linter contract says so).
It reads a draft reply in the context of the colleague's message and returns levels, flags and
highlighted findings with explanations and suggestions."""
