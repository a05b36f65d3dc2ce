"""The empathy coach: reads a supporter's draft reply in the context of the colleague's message
and shows what it does well and what to reconsider. Importing it needs no Django."""
