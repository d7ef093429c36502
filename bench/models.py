"""The benchmark models as plain request bodies for POST /api/shapes.

Plain data only (no imports, no side effects), so tests and other code can
import them freely. Each layer dict is also valid Keras: ``type`` is the
``keras.layers`` class name and every other key is a constructor argument.
"""

# The CIFAR-10 CNN from the TensorFlow tutorial "Convolutional Neural Network (CNN)".
CIFAR10_CNN = {
    "input_shape": [32, 32, 3],
    "layers": [
        {"type": "Conv2D", "filters": 32, "kernel_size": [3, 3], "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": [2, 2]},
        {"type": "Conv2D", "filters": 64, "kernel_size": [3, 3], "activation": "relu"},
        {"type": "MaxPooling2D", "pool_size": [2, 2]},
        {"type": "Conv2D", "filters": 64, "kernel_size": [3, 3], "activation": "relu"},
        {"type": "Flatten"},
        {"type": "Dense", "units": 64, "activation": "relu"},
        {"type": "Dense", "units": 10},
    ],
}


def _vgg_block(block: int, filters: int, convs: int) -> list[dict]:
    """One VGG block named as keras.applications.VGG16 names it: block1_conv1, ..., block1_pool."""
    layers = [
        {"type": "Conv2D", "name": f"block{block}_conv{i}", "filters": filters, "kernel_size": [3, 3],
         "padding": "same", "activation": "relu"}
        for i in range(1, convs + 1)
    ]
    layers.append({"type": "MaxPooling2D", "name": f"block{block}_pool", "pool_size": [2, 2], "strides": [2, 2]})
    return layers


# VGG16 with its classifier top, layer for layer as keras.applications.VGG16(include_top=True).
VGG16 = {
    "input_shape": [224, 224, 3],
    "layers": [
        *_vgg_block(1, 64, 2),
        *_vgg_block(2, 128, 2),
        *_vgg_block(3, 256, 3),
        *_vgg_block(4, 512, 3),
        *_vgg_block(5, 512, 3),
        {"type": "Flatten", "name": "flatten"},
        {"type": "Dense", "name": "fc1", "units": 4096, "activation": "relu"},
        {"type": "Dense", "name": "fc2", "units": 4096, "activation": "relu"},
        {"type": "Dense", "name": "predictions", "units": 1000, "activation": "softmax"},
    ],
}

# Benchmark order and display names.
BENCH_MODELS = {"CIFAR-10 CNN": CIFAR10_CNN, "VGG16": VGG16}

# The published totals (TensorFlow tutorial; keras.applications.VGG16), for checks that do not run Keras.
PUBLISHED_PARAMS = {"CIFAR-10 CNN": 122_570, "VGG16": 138_357_544}

# VGG16's first two blocks (Conv2D 64 ×2, pool, Conv2D 128 ×2, pool; 3×3 same relu), the feature-map benchmark's
# large case: the layers that keep 224×224 and 112×112 maps, where the drawing work is.
VGG16_BLOCKS_1_2 = {"input_shape": VGG16["input_shape"], "layers": VGG16["layers"][:6]}


def small_cnn_variants(count: int) -> list[dict]:
    """`count` distinct small CNNs on 32×32×3 (up to 60): filters, kernel size and width of the Dense layer vary,
    so each is a different model to build, like a learner trying one stack after another."""
    variants = [
        {"input_shape": [32, 32, 3], "layers": [
            {"type": "Conv2D", "filters": filters, "kernel_size": kernel, "activation": "relu"},
            {"type": "MaxPooling2D", "pool_size": 2},
            {"type": "Conv2D", "filters": 2 * filters, "kernel_size": 3, "activation": "relu"},
            {"type": "Flatten"},
            {"type": "Dense", "units": units},
        ]}
        for units in (10, 16, 32, 64, 128, 256)
        for kernel in (3, 5)
        for filters in (4, 8, 12, 16, 24)
    ]
    if not 1 <= count <= len(variants):
        raise ValueError(f"between 1 and {len(variants)} variants, not {count}")
    return variants[:count]
