"""The core: pure Python, never imports TensorFlow. Shapes, parameters, explanations."""
