"""The topology's JSON Schema, for editors (yaml-language-server) and other tools.

Generated from the pydantic models; `topology.schema.json` in the repository is this output,
kept in sync by a test (`make schema` rewrites it).
"""

from __future__ import annotations

from typing import Any

from langsmith_dataplane.topology.schema import Topology

SCHEMA_ID = "https://github.com/langsmith-dataplane/langsmith-dataplane/topology.schema.json"


def topology_json_schema() -> dict[str, Any]:
    schema = Topology.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
