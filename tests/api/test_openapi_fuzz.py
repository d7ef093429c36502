"""Schemathesis over the whole OpenAPI document: every operation, generated requests valid and invalid.

No answer may be a server error, and every status and body must be one the document declares for that
route (errors in the one envelope). Bounded, derandomised examples keep it a few seconds and repeatable."""

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.config import Settings
from app.main import create_app

# Feature maps then answer 503 at once, as documented; runs are queued and never trained here.
APP = create_app(Settings(workers=0, training_workers=0))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module", autouse=True)
def lifespan():
    with TestClient(APP):  # the app's startup (its worker pool) runs once for every generated call
        yield


schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_only_what_the_document_declares(case):
    case.call_and_validate(checks=CHECKS)
