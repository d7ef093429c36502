"""The TensorFlow side: the only package in ``app`` that imports tensorflow or keras.

The web process never imports it (the server must start in under a second);
worker processes and the Keras comparison tests do.
"""
