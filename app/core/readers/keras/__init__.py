"""Keras model files read as data: a ``.keras`` zip's ``config.json``, a legacy ``.h5`` file's ``model_config``
(HDF5 read in a process of its own, ``h5_attrs.py``) and ``model.to_json()`` configs, turned into spec layers.

``app.core.readers`` puts these together as ``read_model_file`` and ``read_model_config``.
"""
