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


@schemathesis.check
def not_a_server_error_but_workers_off(ctx, response, case):
    """As not_a_server_error, except the documented 503 of an app without TensorFlow workers (CNN_WORKERS=0), which a
    valid POST /api/export format=keras reaches: it needs one, and says so."""
    if response.status_code == 503 and "CNN_WORKERS=0" in response.text:
        return None
    return not_a_server_error(ctx, response, case)


CHECKS = [not_a_server_error_but_workers_off, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module", autouse=True)
def lifespan():
    with TestClient(APP):  # the app's startup (its worker pool) runs once for every generated call
        yield


schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_only_what_the_document_declares(case):
    case.call_and_validate(checks=CHECKS)
