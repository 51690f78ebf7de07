"""Policy pack entry point; the policies live in langsmith_dataplane/policies.py."""

from langsmith_dataplane.policies import policy_pack

policy_pack()
