"""The classic models learners type in, as specs for /api/shapes."""

from __future__ import annotations


def L(type_name: str, **arguments) -> dict:
    return {"type": type_name, **arguments}


def conv(filters: int, size: int = 3, **more) -> dict:
    return L("Conv2D", filters=filters, kernel_size=size, activation="relu", **more)


# TensorFlow's "Convolutional Neural Network (CNN)" tutorial on CIFAR-10: 122,570 parameters.
CIFAR10_TUTORIAL = {
    "input_shape": [32, 32, 3],
    "layers": [
        conv(32, 3), L("MaxPooling2D", pool_size=[2, 2]),
        conv(64, 3), L("MaxPooling2D", pool_size=[2, 2]),
        conv(64, 3),
        L("Flatten"), L("Dense", units=64, activation="relu"), L("Dense", units=10),
    ],
}

# A VGG-style Fashion-MNIST CNN: blocks of two same-padded convolutions, batch norm, pooling, dropout.
FASHION_MNIST_VGG = {
    "input_shape": [28, 28, 1],
    "layers": [
        L("Rescaling", scale=1 / 255),
        conv(32, padding="same"), L("BatchNormalization"), conv(32, padding="same"), L("BatchNormalization"),
        L("MaxPooling2D"), L("Dropout", rate=0.25),
        conv(64, padding="same"), L("BatchNormalization"), conv(64, padding="same"), L("BatchNormalization"),
        L("MaxPooling2D"), L("Dropout", rate=0.25),
        L("Flatten"), L("Dense", units=512, activation="relu"), L("BatchNormalization"), L("Dropout", rate=0.5),
        L("Dense", units=10, activation="softmax"),
    ],
}


def _vgg_block(filters: int, convs: int) -> list[dict]:
    return [conv(filters, padding="same") for _ in range(convs)] + [L("MaxPooling2D", pool_size=2, strides=2)]


# VGG16 (Simonyan & Zisserman) on 224×224×3 with its 1000-class head: 138,357,544 parameters.
VGG16 = {
    "input_shape": [224, 224, 3],
    "layers": [
        *_vgg_block(64, 2), *_vgg_block(128, 2), *_vgg_block(256, 3), *_vgg_block(512, 3), *_vgg_block(512, 3),
        L("Flatten"), L("Dense", units=4096, activation="relu"), L("Dense", units=4096, activation="relu"),
        L("Dense", units=1000, activation="softmax"),
    ],
}

# LeNet-5 (LeCun et al. 1998) as usually written in Keras: tanh, average pooling, 61,706 parameters.
LENET5 = {
    "input_shape": [32, 32, 1],
    "layers": [
        L("Conv2D", filters=6, kernel_size=5, activation="tanh"), L("AveragePooling2D", pool_size=2),
        L("Conv2D", filters=16, kernel_size=5, activation="tanh"), L("AveragePooling2D", pool_size=2),
        L("Flatten"), L("Dense", units=120, activation="tanh"), L("Dense", units=84, activation="tanh"),
        L("Dense", units=10, activation="softmax"),
    ],
}

# Not a classic: long class names and wide shapes, to stress the summary table's wrapping.
LONG_NAMES = {
    "input_shape": [None, None, 3],
    "layers": [
        L("SeparableConv2D", filters=16, kernel_size=3, padding="same"),
        L("DepthwiseConv2D", kernel_size=3, depth_multiplier=2),
        L("Conv2DTranspose", filters=8, kernel_size=3, strides=2, name="a_rather_long_layer_name_for_wrapping"),
        L("BatchNormalization"), L("LeakyReLU"), L("SpatialDropout2D", rate=0.1),
        L("ZeroPadding2D", padding=[[1, 2], [3, 4]]), L("Cropping2D", cropping=1), L("UpSampling2D"),
        L("GlobalAveragePooling2D", keepdims=True), L("Flatten"),
        L("LayerNormalization"), L("Dense", units=100_000),
    ],
}
