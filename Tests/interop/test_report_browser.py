"""The run report in a real browser: headless Chromium loads the sample reports the Swift suite writes
(the seeds' numbers, and a stress sample of hostile, long and wide names over a year and a half) at a
desktop width and a phone's, and each page must log nothing, ask for nothing but itself, overflow
nowhere, and keep its chart labels apart. Full-page screenshots go to .build/report-screenshots/.

Needs `chromium` (Debian package; scripts/setup-ci installs it). Without it the tests are skipped,
unless THREADLINE_REQUIRE_TOOLS=1 (as in CI), when they fail.
"""

import os
import subprocess
from pathlib import Path

import pytest

from headless import Browser, Page, find_chromium

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / ".build" / "report-sample"
SCREENSHOTS = REPO / ".build" / "report-screenshots"
PAGES = {"seeds": "report.html", "stress": "report-stress.html", "run": "run/report.html"}
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def chromium():
    path = find_chromium()
    if path is None:
        message = "chromium is not installed (scripts/setup-ci installs it)"
        if os.environ.get("THREADLINE_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def samples(threadline):
    """The sample reports, written afresh by the Swift test that renders them, and the report of the
    default pipeline's real run, written by the `report` load step into `run/`."""
    env = dict(os.environ, THREADLINE_REPORT_OUT=str(SAMPLES))
    result = subprocess.run(["swift", "test", "--filter", "ReportRendererTests.writeSampleReports"],
                            cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    run = subprocess.run([threadline, "run", "--quiet", "pipelines/default.yaml"], cwd=REPO, capture_output=True, text=True,
                         env=dict(os.environ, THREADLINE_OUTPUT=str(SAMPLES / "run")))
    assert run.returncode == 0, run.stderr
    for name in PAGES.values():
        assert (SAMPLES / name).is_file(), name
    return SAMPLES


@pytest.fixture(scope="module")
def browser(chromium):
    with Browser(chromium) as browser:
        yield browser


# Every element's box inside the viewport, horizontally; the page itself no wider than the viewport.
OVERFLOW = """(() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width)
    out.push(`page is ${document.documentElement.scrollWidth}px wide in a ${width}px viewport`);
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5))
      out.push(`${element.tagName} "${(element.textContent || '').slice(0, 40)}" spans ${box.left}..${box.right}`);
    const style = getComputedStyle(element);
    if (['auto', 'scroll'].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1)
      out.push(`${element.tagName} scrolls sideways`);
  }
  return out;
})()"""

# In every bar chart row, the label ends before the value starts; under the weekly chart, the week
# labels do not touch; no text is smaller than 11px.
COLLISIONS = """(() => {
  const out = [];
  for (const row of document.querySelectorAll('svg.bars g.row')) {
    const shown = [...row.querySelectorAll('text.label')].filter(text => getComputedStyle(text).display !== 'none');
    if (shown.length !== 1) out.push(`a row shows ${shown.length} labels`);
    const label = shown[0].getBoundingClientRect();
    const value = row.querySelector('text.value').getBoundingClientRect();
    if (label.right > value.left - 4)
      out.push(`"${shown[0].textContent}" (to ${label.right}) runs into its value (from ${value.left})`);
  }
  for (const chart of document.querySelectorAll('svg.columns')) {
    const lines = {};
    for (const text of chart.querySelectorAll('text.tick[text-anchor="middle"]')) {
      const box = text.getBoundingClientRect();
      (lines[Math.round(box.top)] ||= []).push(box);
    }
    for (const boxes of Object.values(lines)) {
      boxes.sort((a, b) => a.left - b.left);
      for (let i = 1; i < boxes.length; i++)
        if (boxes[i - 1].right > boxes[i].left - 2) out.push(`week labels touch at ${boxes[i].left}`);
    }
  }
  for (const element of document.querySelectorAll('body *')) {
    const own = [...element.childNodes].some(node => node.nodeType === 3 && node.textContent.trim());
    if (own && element.getBoundingClientRect().width > 0 && parseFloat(getComputedStyle(element).fontSize) < 11)
      out.push(`${element.tagName} "${element.textContent.slice(0, 30)}" is set below 11px`);
  }
  return out;
})()"""


@pytest.mark.parametrize("width_name", WIDTHS)
@pytest.mark.parametrize("sample", PAGES)
def test_report_renders_cleanly(browser, samples, sample, width_name):
    url = (samples / PAGES[sample]).as_uri()
    page = Page(browser, url, WIDTHS[width_name])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{sample}-{width_name}.png"
    width, height = page.screenshot(shot)
    print(f"screenshot: {shot} ({width}x{height})")
    assert width == WIDTHS[width_name]
    assert shot.stat().st_size > 10_000

    assert page.problems() == []
    assert page.requests() == [url]
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.querySelectorAll('svg[role=img] > title').length") == \
        page.evaluate("document.querySelectorAll('svg').length")
    assert page.evaluate(COLLISIONS) == []
    # With every table unfolded too: nothing overflows.
    assert page.evaluate(OVERFLOW) == []
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.evaluate(OVERFLOW) == []


def test_report_in_dark_mode(browser, samples):
    """The page follows prefers-color-scheme: a dark background under light text, at a phone's width."""
    url = (samples / PAGES["seeds"]).as_uri()
    colours = {}
    for dark in (False, True):
        page = Page(browser, url, WIDTHS["phone"], dark=dark)
        if dark:
            shot = SCREENSHOTS / "seeds-phone-dark.png"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(shot)
            print(f"screenshot: {shot}")
        assert page.problems() == []
        colours[dark] = (page.evaluate("getComputedStyle(document.body).backgroundColor"),
                         page.evaluate("getComputedStyle(document.body).color"))
    (light_bg, light_fg), (dark_bg, dark_fg) = colours[False], colours[True]
    assert luminance(dark_bg) < 0.02 < 0.8 < luminance(light_bg)
    assert luminance(dark_fg) > 0.7 and luminance(light_fg) < 0.05
    assert contrast(dark_fg, dark_bg) >= 7


def test_the_page_numbers_match_the_sample(browser, samples):
    """What a reader sees on the seeds' page: the totals and the host share as text."""
    page = Page(browser, (samples / PAGES["seeds"]).as_uri(), WIDTHS["desktop"])
    stats = page.evaluate("[...document.querySelectorAll('.stats li')].map(li => li.innerText.replace(/\\s+/g, ' '))")
    assert stats == ["300 Rows read", "300 Rows written", "0 Rows rejected", "92% Threads a host answered"]
    assert page.evaluate("document.querySelector('svg.donut').getAttribute('aria-labelledby')") == \
        "host-share-title host-share-desc"
    assert "86 of 93 threads" in page.evaluate("document.querySelector('#host-share-desc').textContent")


def test_the_run_report_matches_the_tables_it_was_written_with(browser, samples):
    """The default run's page against the run's own tables and manifest: rows read, written and
    rejected, and the share of threads a host answered (bots' threads included, as the threads table
    counts them)."""
    import json
    folder = samples / "run"
    manifest = json.loads((folder / "_manifest.json").read_text())
    threads = [json.loads(line) for line in (folder / "threads.jsonl").read_text().splitlines()]
    answered = sum(1 for thread in threads if thread["host_replied"])
    page = Page(browser, (folder / "report.html").as_uri(), WIDTHS["desktop"])
    stats = page.evaluate("[...document.querySelectorAll('.stats li')].map(li => li.innerText.replace(/\\s+/g, ' '))")
    rows = manifest["rows"]
    merged = [f"{rows['merged']} Rows merged as copies"] if rows.get("merged") else []
    assert stats == [f"{rows['in']} Rows read", f"{rows['out']} Rows written", f"{rows['rejected']} Rows rejected", *merged,
                     f"{round(100 * answered / len(threads))}% Threads a host answered"]
    assert rows["in"] == rows["out"] + rows["rejected"] + rows.get("merged", 0)
    assert not page.evaluate("[...document.querySelectorAll('p')].some(p => p.textContent.startsWith('Rows do not add up'))")
    assert f"{answered} of {len(threads)} threads" in page.evaluate("document.querySelector('#host-share-desc').textContent")

    # The tables behind the charts, against counts made here from messages.jsonl (bots left out).
    def table(caption):
        return page.evaluate("""[...document.querySelectorAll('table')].filter(t => t.caption.textContent === %r)
            .flatMap(t => [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent.trim())))""" % caption)
    messages = [json.loads(line) for line in (folder / "messages.jsonl").read_text().splitlines()]
    people = [m for m in messages if not m["is_bot"]]
    documents = {json.loads(line)["document_id"]: json.loads(line) for line in (folder / "documents.jsonl").read_text().splitlines()}
    titles = [d["title"] or i for i, d in documents.items()]
    expected_documents = []
    for document_id, document in documents.items():
        title = document["title"] or document_id
        label = f"{title} ({document['source']})" if titles.count(title) > 1 else title
        mine = [m for m in people if m["document_id"] == document_id]
        questions = sum(1 for m in mine if m["position"] == 0)
        expected_documents.append([label, str(questions), str(len(mine) - questions)])
    assert sorted(table("Questions and answers per document")) == sorted(expected_documents)
    answers = {}
    for m in people:
        if m["position"] > 0:
            answers[m["author"]] = answers.get(m["author"], 0) + 1
    top = table("Top authors by answers")
    assert len(top) == 10
    for name, count, _ in top:
        assert answers[name.removesuffix(" (host)")] == int(count), name
    assert int(top[0][1]) == max(answers.values())


def luminance(color):
    """The WCAG 2 relative luminance of an `rgb(r, g, b)` colour."""
    channels = [int(part) / 255 for part in color[color.index("(") + 1:-1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    """The WCAG 2 contrast ratio of two `rgb(r, g, b)` colours."""
    high, low = sorted([luminance(first), luminance(second)], reverse=True)
    return (high + 0.05) / (low + 0.05)


# (foreground, background, least ratio): text 4.5:1, chart marks against the card 3:1.
CONTRASTS = [
    ("--fg", "--card", 4.5), ("--fg", "--bg", 4.5), ("--muted", "--card", 4.5), ("--muted", "--bg", 4.5),
    ("--bad", "--card", 4.5), ("--ok", "--ok-bg", 4.5), ("--bad", "--bad-bg", 4.5), ("--warn-fg", "--warn-bg", 4.5),
    ("--q", "--card", 3), ("--a", "--card", 3), ("--ok", "--card", 3), ("--ok", "--track", 3), ("--axis", "--card", 3),
]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_colours_have_contrast(browser, samples, dark):
    page = Page(browser, (samples / PAGES["seeds"]).as_uri(), WIDTHS["desktop"], dark=dark)
    # Each custom property resolved to rgb() by the browser, through a probe element's colour.
    colours = page.evaluate("""(() => {
      const probe = document.createElement('span');
      document.body.append(probe);
      const out = {};
      for (const name of %s) { probe.style.color = `var(${name})`; out[name] = getComputedStyle(probe).color; }
      probe.remove();
      return out;
    })()""" % sorted({name for pair in CONTRASTS for name in pair[:2]}))
    low = [(fg, bg, round(contrast(colours[fg], colours[bg]), 2)) for fg, bg, least in CONTRASTS
           if contrast(colours[fg], colours[bg]) < least]
    assert low == []
