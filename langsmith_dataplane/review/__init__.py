"""Reviewing a topology without credentials: plan, diff, diagram and rendered manifests."""
