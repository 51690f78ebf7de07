"""Pulumi program: `pulumi up -s <stack>` provisions that stack's slice of topology.yaml."""

from langsmith_dataplane.entrypoint import main

main()
