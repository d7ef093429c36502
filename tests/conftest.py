"""For every test folder: runs and their weights go to a directory of this test session, never the checkout's."""

import os
import tempfile

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_data_dir():
    with tempfile.TemporaryDirectory(prefix="cnn-blocks-data-") as data_dir:
        os.environ["CNN_DATA_DIR"] = data_dir  # read by every Settings() and inherited by servers the tests start
        yield data_dir
