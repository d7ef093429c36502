"""CNN Blocks: see how a Keras CNN is put together."""
