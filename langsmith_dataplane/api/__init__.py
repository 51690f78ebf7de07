"""Clients of the LangSmith APIs the stack calls, over one transport (`transport.py`)."""
