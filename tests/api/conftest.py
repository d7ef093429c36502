import pytest
from fastapi.testclient import TestClient

from app.config import Settings, get_settings
from app.main import create_app


@pytest.fixture
def client():
    """The app without TensorFlow workers: shape questions never need them."""
    with TestClient(create_app(Settings(workers=0))) as test_client:
        yield test_client


@pytest.fixture
def client_with(client):
    """A client whose settings are overridden, e.g. client_with(max_layers=3)."""

    def override(**limits):
        client.app.dependency_overrides[get_settings] = lambda: Settings(workers=0, **limits)
        return client

    return override


@pytest.fixture
def app_client():
    """An app made with its own settings: body limits are fixed when the app is made."""
    made = []

    def make(**settings) -> TestClient:
        client = TestClient(create_app(Settings(workers=0, training_workers=0, **settings)))
        made.append(client.__enter__())
        return made[-1]

    yield make
    for client in made:
        client.__exit__(None, None, None)
