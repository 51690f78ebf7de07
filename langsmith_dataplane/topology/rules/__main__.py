"""Print the README's rule table: `python -m langsmith_dataplane.topology.rules`."""

from langsmith_dataplane.topology.rules import markdown_table

print(markdown_table(), end="")
