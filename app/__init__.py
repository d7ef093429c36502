"""CNN Blocks: see how a Keras CNN is put together."""

from app import ast_guard

ast_guard.install()  # first, before any of our threads (the web process, workers, tests) can parse Python
