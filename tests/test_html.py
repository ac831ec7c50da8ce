"""The HTML report: structure (parsed), offline (nothing fetched), and rendered in
a real browser (headless Chromium): the math has layout boxes, fractions stack,
no raw LaTeX is visible, and a screenshot is taken."""
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import matplotlib.image
import pytest

from vi_sym.checker import Settings, check_derivations
from vi_sym.html import render_report
from vi_sym.loader import load_text

TEXT = """
derivation kl_route_short
title: KL(q || p(z|x)) = log p(x) - ELBO(q)
latent: z
observed: x

    KL(q(z) || p(z|x))                                   @ 39
  = integrate(q(z)*log(q(z)/p(z|x)), z)                 by kl_definition @ 40
  = integrate(q(z)*log(q(z)*p(x)/p(x|z)*p(z)), z)       by bayes_rule    @ 41
    xfail: the note's missing bracket
conclude: KL(q(z) || p(z|x)) = integrate(q(z)*log(q(z)/p(z|x)), z)
"""


@pytest.fixture(scope="module")
def page():
    derivs, errors = load_text(TEXT, "short.vi")
    assert not errors
    report = check_derivations(derivs, Settings(families=("normal-normal",), samples=5, timeout=60))
    return report, render_report(report, derivs, title="test report")


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def _parsed(html):
    c = _Collect()
    c.feed(html)
    return c


def test_report_structure(page):
    report, html = page
    c = _parsed(html)
    statuses = [r.status.value for r in report.results]
    assert statuses[:2] == ["PROVED", "FAILED"]
    assert c.tags.count("math") >= 4                    # the chain is typeset
    assert html.count('class="badge PROVED"') >= 1 and html.count('class="badge FAILED"') >= 1
    assert 'class="cx"' in html                          # the counterexample table
    failed = report.results[1]
    assert failed.explanation and failed.explanation.split(":")[0] in html.replace("&#x27;", "'")
    assert "<details>" in html and "proof trace" in html
    assert "expected to fail" in html
    for fx in failed.fixes:
        assert "Did you mean" in html
    assert "normal-normal" in html


def test_report_is_self_contained(page):
    _, html = page
    c = _parsed(html)
    assert "script" not in c.tags and "link" not in c.tags and "img" not in c.tags
    urls = [v for k, v in c.attrs if k in ("src", "href") and v]
    assert urls == []
    assert not re.search(r"https?://(?!www\.w3\.org/1998/Math/MathML)", html)


def test_inherited_failures_are_marked_when_the_result_says_so(page):
    report, _ = page
    r = report.results[1]
    r.inherited_from = "note_kl_route::2"
    try:
        html = render_report(report, load_text(TEXT, "short.vi")[0])
    finally:
        del r.inherited_from
    assert 'class="inherited"' in html and "note_kl_route::2" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

PROBE = """<script>
(function () {
  var ms = Array.prototype.slice.call(document.querySelectorAll('math'));
  var empty = ms.filter(function (m) { var r = m.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); });
  var fr = Array.prototype.slice.call(document.querySelectorAll('mfrac')).map(function (f) {
    var a = f.children[0].getBoundingClientRect(), b = f.children[1].getBoundingClientRect();
    return a.bottom <= b.top + 1;   // numerator above the denominator: MathML laid out natively
  });
  var text = document.body.innerText;
  document.body.setAttribute('data-probe', JSON.stringify({
    math: ms.length, empty: empty.length, fractions: fr.length,
    stacked: fr.filter(function (x) { return x; }).length,
    raw_latex: /\\\\(frac|int|operatorname|mathbb|left|right)/.test(text)}));
})();
</script>"""


def _chromium(args, tmp_path):
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine (Debian: apt-get install chromium)")
def test_report_renders_in_chromium(page, tmp_path):
    _, html = page
    probed = tmp_path / "probed.html"
    probed.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    out = _chromium(["--dump-dom", probed.as_uri()], tmp_path)
    m = re.search(r'data-probe="([^"]*)"', out.stdout)
    assert m, f"Chromium did not run the probe: {out.stderr[-2000:]}"
    probe = json.loads(m.group(1).replace("&quot;", '"'))
    assert probe["math"] >= 4
    assert probe["empty"] == 0, probe                  # every <math> has a layout box
    assert probe["fractions"] >= 1 and probe["stacked"] == probe["fractions"], probe
    assert probe["raw_latex"] is False

    report_file = tmp_path / "report.html"
    report_file.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    out = _chromium(["--window-size=1000,800", f"--screenshot={shot}", report_file.as_uri()], tmp_path)
    assert shot.exists(), out.stderr[-2000:]
    img = matplotlib.image.imread(shot)[:, :, :3]      # floats in [0, 1]
    assert img.shape[:2] == (800, 1000)
    # not a blank page: dark text pixels and the red FAILED badge are there
    dark = int((img.max(axis=2) < 0.3).sum())
    red = int(((img[:, :, 0] > 0.6) & (img[:, :, 1] < 0.3) & (img[:, :, 2] < 0.3)).sum())
    assert dark > 500 and red > 50, (dark, red)
