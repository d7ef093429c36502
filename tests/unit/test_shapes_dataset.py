"""The drawn shapes: each picture's label is the shape drawn, all the way through, and the same seed draws the
same pictures."""

import numpy as np

from app.datasets import shapes


def test_labels_follow_the_shapes_drawn_past_256_pictures():
    images, labels = shapes.generate(per_class=120, seed=3)  # 360 pictures: past uint8's 256
    assert len(images) == len(labels) == 360
    assert list(labels) == [i % 3 for i in range(360)]  # circle, triangle, rectangle, in turn
    assert np.bincount(labels).tolist() == [120, 120, 120]


def test_the_same_seed_draws_the_same_pictures_and_another_seed_others():
    first, _ = shapes.generate(per_class=4, seed=5)
    again, _ = shapes.generate(per_class=4, seed=5)
    other, _ = shapes.generate(per_class=4, seed=6)
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert first.shape == (12, 24, 24, 3) and first.dtype == np.uint8
