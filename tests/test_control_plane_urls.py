"""A self-hosted LangSmith given in any documented form: one normalisation (the Terraform
provider's `normalizeAPIURL`, langgraph-cli's `ControlPlaneEndpoints`) gives the platform API's
base, the control plane at `/api-host` and the workloads' `LANGSMITH_ENDPOINT`."""

from __future__ import annotations

import pytest

from langsmith_dataplane.control_plane import REGIONS, normalize_api_url, self_hosted
from langsmith_dataplane.review.masking import reveal
from tests.helpers import REFERENCE_TEXT, edit
from tests.sim import listener_releases, simulated_text


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://langsmith.example.com/api/v1", "https://langsmith.example.com"),
        ("https://langsmith.example.com/api/v1/", "https://langsmith.example.com"),
        ("https://langsmith.example.com", "https://langsmith.example.com"),
        ("  https://langsmith.example.com/api/v1  ", "https://langsmith.example.com"),
        ("https://example.com/langsmith/api/v1", "https://example.com/langsmith"),
        ("https://api.smith.langchain.com/api/v1", "https://api.smith.langchain.com"),
    ],
)
def test_the_documented_forms_give_one_base(given, base):
    assert normalize_api_url(given) == base
    endpoints = self_hosted(given, None, ())
    assert endpoints.smith_backend_url == base
    assert endpoints.host_backend_url == f"{base}/api-host"
    assert endpoints.trace_endpoint == f"{base}/api/v1"


def test_a_given_control_plane_url_wins_and_regions_are_unchanged():
    endpoints = self_hosted("https://ls.example.com/api/v1", "https://cp.example.com/", ())
    assert endpoints.host_backend_url == "https://cp.example.com"
    us = REGIONS["us"]
    assert us.trace_endpoint == us.smith_backend_url == "https://api.smith.langchain.com"


def test_the_program_uses_each_derived_url_where_it_belongs():
    text = edit(
        REFERENCE_TEXT,
        "  region: us\n",
        "  smithBackendUrl: https://langsmith.example.com/api/v1\n  egressCidrs: [192.0.2.10/32]\n",
    )
    sim = simulated_text(text, "dev")
    [release, *_] = listener_releases(sim)
    config = reveal(release.inputs["values"])["config"]
    assert config["hostBackendUrl"] == "https://langsmith.example.com/api-host"
    assert config["smithBackendUrl"] == "https://langsmith.example.com/api/v1"
    registrations = [r for r in sim.resources if "compute_id" in (r.inputs or {})]
    assert registrations
    assert {r.inputs["base_url"] for r in registrations} == {
        "https://langsmith.example.com/api-host"
    }
