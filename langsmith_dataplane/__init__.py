"""langsmith-dataplane: LangSmith hybrid data planes from one topology file, with Pulumi."""

__version__ = "0.1.0"
