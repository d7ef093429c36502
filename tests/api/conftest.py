import pytest
from fastapi.testclient import TestClient

from app.config import Settings, get_settings
from app.main import create_app


@pytest.fixture
def client():
    app = create_app()
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def client_with(client):
    """A client whose settings are overridden, e.g. client_with(max_layers=3)."""

    def override(**limits):
        client.app.dependency_overrides[get_settings] = lambda: Settings(**limits)
        return client

    return override
