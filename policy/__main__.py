"""Policy pack entry point; the policies live in langsmith_dataplane/policies.py."""

from pathlib import Path

from langsmith_dataplane.policies import policy_pack

policy_pack(Path(__file__).resolve().parent.parent)  # the project this pack sits in
