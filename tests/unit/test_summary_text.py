"""The summary text: Keras's table on an 80-column terminal, laid out by hand here."""

from __future__ import annotations

from core_helpers import L, run

from app.core.summary import cell_width, params_line, readable_size, summary_text, wrap_cell


def test_sizes_use_binary_units_with_two_decimals():
    assert readable_size(0) == "0.00 B"
    assert readable_size(1023) == "1023.00 B"
    assert readable_size(1024) == "1.00 KB"
    assert readable_size(122_570 * 4) == f"{122_570 * 4 / 1024:.2f} KB" == "478.79 KB"
    assert readable_size(138_357_544 * 4) == f"{138_357_544 * 4 / 1024 ** 2:.2f} MB" == "527.79 MB"


def test_params_line_has_thousands_separators_and_float32_bytes():
    assert params_line("Total", 122_570) == " Total params: 122,570 (478.79 KB)"


def test_table_is_76_columns_wide_with_box_drawing_rules():
    text = summary_text([("dense", "Dense", (None, 10), 110)], 110, 0)
    lines = text.splitlines()
    assert lines[0] == 'Model: "sequential"'
    assert lines[1] == "┏" + "━" * 33 + "┳" + "━" * 24 + "┳" + "━" * 15 + "┓"
    assert lines[2] == "┃ Layer (type)" + " " * 20 + "┃ Output Shape" + " " * 11 + "┃" + " " * 7 + "Param # ┃"
    assert all(len(line) == 76 for line in lines[1:-3])


def test_a_row_is_name_type_shape_and_right_aligned_params():
    text = summary_text([("dense", "Dense", (None, 10), 1_234_567)], 1_234_567, 0)
    row = text.splitlines()[4]
    # each cell: one space, the text padded to the cell's width minus two, one space
    assert row == "│ dense (Dense)" + " " * (31 - 13) + " │ (None, 10)" + " " * (22 - 10) + " │ " + " " * (13 - 9) \
        + "1,234,567 │"


def test_rows_are_separated_by_thin_rules():
    text = summary_text([("a", "Dense", (None, 1), 2), ("b", "Dense", (None, 1), 2)], 4, 0)
    assert text.splitlines()[5] == "├" + "─" * 33 + "┼" + "─" * 24 + "┼" + "─" * 15 + "┤"


def test_totals_split_trainable_and_non_trainable():
    result = run([10], L("BatchNormalization"))
    assert result["summary"].splitlines()[-3:] == [
        " Total params: 40 (160.00 B)", " Trainable params: 20 (80.00 B)", " Non-trainable params: 20 (80.00 B)"]


def test_long_names_wrap_between_words():
    assert wrap_cell("global_average_pooling2d (GlobalAveragePooling2D)", 31) == [
        "global_average_pooling2d", "(GlobalAveragePooling2D)"]


def test_words_wider_than_the_cell_are_cut_with_an_ellipsis():
    assert wrap_cell("x" * 40 + " (Dense)", 31) == ["x" * 30 + "…", "(Dense)"]


def test_hyphens_are_not_break_points():
    assert wrap_cell("a-b " + "c-" * 20, 31) == ["a-b", ("c-" * 20)[:30] + "…"]


def test_korean_characters_take_two_columns():
    assert cell_width("출력층") == 6
    assert wrap_cell("가" * 20, 31) == ["가" * 15 + "…"]  # 15 × 2 = 30 columns, then the ellipsis
    assert wrap_cell("가" * 20, 30) == ["가" * 14 + " …"]  # half a character does not fit: a space


def test_the_summary_is_null_for_an_invalid_model():
    assert run([2, 2, 1], L("Conv2D", filters=1, kernel_size=3))["summary"] is None
