"""Python source read into the spec through ``ast``, never executed: ``read_code`` and its limits (see ``reader``).

The statements are followed by ``interpreter``, expressions computed by ``evaluator`` over the plain values of
``values``, calls that build a model handled by ``builder``, layer constructors by ``layers``, ``compile`` / ``fit``
by ``training``, and dotted names matched to Keras by ``names``.
"""

from app.core.readers.code.reader import CodeImported, CodeLimits, TrainingLimits, read_code

__all__ = ["CodeImported", "CodeLimits", "TrainingLimits", "read_code"]
