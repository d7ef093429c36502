"""The Train tab end to end: choose the shapes dataset, fit the model to it, train with real Keras, watch the
curves grow live, read the results, then see what the trained network makes of a picture."""

from __future__ import annotations

import re

import pytest
from blocks_page import datasets_listed, open_page, totals
from browser_env import PHONE, serve_app
from maps_page import FIRST_ANSWER_MS, pick_sample, wait_painted
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.keras]

TRAINED_MS = 300_000


@pytest.fixture(scope="module")
def base_url():
    with serve_app(workers=1) as url:
        yield url


def start_training(page, epochs: str) -> None:
    page.locator("#presets-menu summary").click()
    page.locator("[data-preset=shapes8]").click()
    expect(totals(page)).to_contain_text("Total params")
    page.get_by_role("tab", name=re.compile("Train|학습")).click()
    datasets_listed(page)
    page.locator("[data-dataset=shapes]").click()
    page.locator("#tr-fit").click()
    expect(page.locator(".input-shape")).to_have_text("(None, 24, 24, 3)")
    page.locator("#tr-epochs").fill(epochs)
    page.locator("#tr-start").click()


def test_training_the_shapes_shows_live_curves_results_and_the_trained_maps(page, artifacts):
    open_page(page)
    start_training(page, "4")
    loss_points = page.locator("#tr-loss circle")
    expect(loss_points.first).to_be_visible(timeout=TRAINED_MS)  # the first epoch is drawn while it trains
    expect(page.locator(".tr-test")).to_contain_text("Test accuracy", timeout=TRAINED_MS)
    assert loss_points.count() == 8  # four epochs, train and validation
    expect(page.locator(".tr-confusion tbody tr")).to_have_count(3)
    run_id = re.search(r"Run (\w+):", page.locator("#tr-run-title").inner_text()).group(1)
    expect(page.locator("#tr-runs tbody tr", has_text=run_id)).to_contain_text("Done")  # listed with the others
    page.locator("#tr-live").screenshot(path=artifacts / "train-results.png")
    page.get_by_role("button", name="See what it learned").click()
    expect(page.get_by_role("tab", name="Feature maps")).to_have_attribute("aria-selected", "true")
    pick_sample(page, "Triangle", timeout=FIRST_ANSWER_MS)
    expect(page.locator(".fm-weights")).to_contain_text(re.compile(r"trained weights of run \w+"))
    wait_painted(page)
    page.screenshot(path=artifacts / "train-maps.png")


def test_the_train_tab_speaks_korean_and_fits_a_phone(new_page, artifacts):
    page = new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    open_page(page, path="/?lang=ko")
    page.get_by_role("tab", name="학습").click()
    datasets_listed(page)
    expect(page.locator("[data-dataset=mnist]")).to_contain_text("MNIST 손글씨 숫자")
    expect(page.locator("#tr-settings")).to_contain_text("학습 그림 전체를 몇 번 훑을지")
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1]
    page.screenshot(path=artifacts / "train-phone-ko.png", full_page=True)


def test_a_run_the_server_refuses_says_why_in_the_tab(page):
    open_page(page)  # the CIFAR-10 CNN: (32, 32, 3) is not MNIST's input
    page.get_by_role("tab", name="Train").click()
    datasets_listed(page)
    page.locator("[data-dataset=mnist]").click()
    page.locator("#tr-start").click()
    expect(page.locator("#tr-refusal")).to_contain_text("MNIST images are (28, 28, 1); set the input to that")
