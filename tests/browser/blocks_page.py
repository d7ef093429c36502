"""What the browser tests do to the page, said once: open it, find blocks, edit fields, use the keyboard."""

from __future__ import annotations

import base64
import json
import re

from playwright.sync_api import Locator, Page, expect


def model_fragment(body: dict) -> str:
    """#model= + base64url without padding of the POST /api/shapes body, byte for byte as the page
    writes it (compact JSON, like JSON.stringify)."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    raw = base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
    return f"#model={raw}"


def body_from_url(url: str) -> dict:
    raw = url.split("#model=", 1)[1]
    return json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))


def body_when(page: Page, check, timeout_ms: int = 3_000) -> dict:
    """The model in the link once `check(body)` holds: the page writes the link a moment after an edit."""
    body = None
    for _ in range(timeout_ms // 50):
        body = body_from_url(page.url) if "#model=" in page.url else None
        if body is not None and _holds(check, body):
            return body
        page.wait_for_timeout(50)
    raise AssertionError(f"the link never held the expected model: {body}")


def datasets_listed(page: Page) -> None:
    """The Train tab's datasets: a server that has just started may still be reading their arrays (2.6 s here,
    longer under load)."""
    expect(page.locator("[data-dataset=shapes]")).to_be_visible(timeout=30_000)


def _holds(check, body: dict) -> bool:
    try:
        return bool(check(body))
    except (IndexError, KeyError):  # the link still holds an earlier, shorter model
        return False


def open_page(page: Page, path: str = "/", model: dict | None = None) -> Page:
    page.goto(path + (model_fragment(model) if model else ""))
    expect(totals(page)).to_contain_text(re.compile(r"Total params|전체 파라미터"))
    return page


def stack(page: Page) -> Locator:
    return page.get_by_role("list", name=re.compile("Model layers|모델 레이어"))


def blocks(page: Page) -> Locator:
    return stack(page).get_by_role("listitem")


def totals(page: Page) -> Locator:
    return page.locator("#totals")


def palette_button(page: Page, layer_type: str) -> Locator:
    """The palette entry whose accessible name starts with the layer type (Conv2D, not DepthwiseConv2D)."""
    return page.locator("#palette-groups").get_by_role("button", name=re.compile(rf"^{layer_type}\b"))


def field(page: Page, name: str) -> Locator:
    return page.locator(f"#f-{name}")


def select_block(page: Page, index: int) -> None:
    blocks(page).nth(index).locator(".block-select").click()
    expect(page.locator(".insp-type")).to_be_visible()


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page: Page, target: Locator, limit: int = 400) -> None:
    """Press Tab (or Shift+Tab when the target is behind focus) until the target has focus:
    proves it is reachable by keyboard alone."""
    target.wait_for()
    backwards = target.evaluate(
        "el => !!document.activeElement && document.activeElement !== document.body"
        " && !!(el.compareDocumentPosition(document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING)")
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if is_focused(target):
            return
        page.keyboard.press(key)
    raise AssertionError(f"could not reach {target} with {key} in {limit} presses")


def type_into(page: Page, target: Locator, text: str) -> None:
    """Reach a field by keyboard, select what is there and type over it."""
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def expect_model_in_url(page: Page, body: dict) -> None:
    expect(page).to_have_url(re.compile(re.escape(model_fragment(body)) + "$"))


def named(page: Page, name: str) -> Locator:
    """The block (a layer, a merge or a collapsed block) whose Keras name is exactly `name`."""
    return page.locator(".block").filter(has=page.locator(".block-name", has_text=re.compile(rf"^{re.escape(name)}$")))


def branches(page: Page) -> Locator:
    return stack(page).locator(".branch")


def lanes(branch: Locator) -> Locator:
    return branch.locator(":scope > .lanes > .lane")


def merge_of(branch: Locator) -> Locator:
    return branch.locator(":scope > .merge-block")


# What every layout test looks at: two laptop screens and a phone.
SIZES = {"1024x768": (1024, 768), "1280x800": (1280, 800), "390x844": (390, 844)}


def sized_page(new_page, size: tuple[int, int]) -> Page:
    """A fresh page (the ``new_page`` fixture) at this viewport; narrower than 500 px it is a touch phone."""
    width, height = size
    phone = width < 500
    return new_page(viewport={"width": width, "height": height}, has_touch=phone, is_mobile=phone)


def blocking_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is, each with the first few nodes it names."""
    from axe_playwright_python.sync_playwright import Axe  # a test dependency: only the tests that use axe need it

    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}
    ]
