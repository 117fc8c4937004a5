"""Checks run inside the page (JavaScript): overflow, tap targets, contrast, English strings.

Each function takes a Playwright page and returns what it found, so a test can assert on it and
print the offenders when it fails.
"""

from __future__ import annotations

import re

# Strings Gradio's components and page template produce in English (and the raw i18n keys it shows
# when a translation is missing). None may reach a user of this Chinese app, on screen or read aloud.
GRADIO_DEFAULTS = (
    "More tabs",
    "Textbox",
    "chatbot conversation",
    "'s message",
    "Scroll down",
    "Copy",
    "Copied",
    "Clear",
    "Close",
    "Empty value",
    "No value",
    "Loading",
    "Warning",
    "Error",
    "Gradio",
    "Click to try out",
    "Built with",
    "Use via API",
    "Settings",
    "Submit",
    "Dropdown",
    "Number",
    "minimum value",
    "maximum value",
    "Download",
    "Upload",
    "Remove",
    "Retry",
    "Undo",
    "Like",
    "Dislike",
    "Share",
    "Flag",
    "Examples",
    "Reload",
    "Stop",
    "Logout",
    "Login",
    "common.",
    "chatbot.",
    "errors.",
    "upload_text.",
    "Value ",
    "Select",
    "Search",
    "Submit",
)
ENGLISH_RE = re.compile(
    "|".join(
        rf"(?<![A-Za-z]){re.escape(w.strip())}(?![A-Za-z])" if w[-1].isalpha() else re.escape(w)
        for w in GRADIO_DEFAULTS
    )
)

USER_STRINGS_JS = r"""() => {
  const out = [];
  const visible = (el) => { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none'; };
  out.push(['title', document.title]);
  out.push(['lang', document.documentElement.lang]);
  for (const m of document.querySelectorAll('meta[property], meta[name]')) { out.push(['meta ' + (m.getAttribute('property') || m.getAttribute('name')), m.getAttribute('content') || '']); }
  for (const el of document.querySelectorAll('*')) {
    for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'aria-roledescription', 'aria-valuetext']) {
      const v = el.getAttribute(a); if (v) { out.push([a, v]); }
    }
    if (el.childNodes.length && visible(el)) {
      for (const n of el.childNodes) { if (n.nodeType === 3 && n.textContent.trim()) { out.push(['text', n.textContent.trim()]); } }
    }
  }
  // screen-reader-only text (live regions, visually hidden labels) counts too
  for (const el of document.querySelectorAll('[aria-live], .sr-only, .visually-hidden, label')) { if (el.textContent.trim()) { out.push(['sr', el.textContent.trim()]); } }
  return out;
}"""


def english_strings(page) -> list[tuple[str, str]]:
    """(where, text) of every user-facing string that contains a known Gradio default in English."""
    return [
        (kind, text[:120])
        for kind, text in page.evaluate(USER_STRINGS_JS)
        if ENGLISH_RE.search(text) and not kind.startswith("meta viewport")
    ]


def overflow(page) -> dict:
    """Document and body scroll widths against the viewport width."""
    return page.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, viewport: window.innerWidth})"
    )


def has_horizontal_overflow(page) -> bool:
    o = overflow(page)
    return max(o["doc"], o["body"]) > o["viewport"]


SMALL_TARGETS_JS = r"""(minimum) => {
  const out = [];
  const sel = 'button, [role="tab"], summary, a[href], input:not([type="hidden"]), textarea, select, [role="option"], [role="button"]';
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || el.closest('[aria-hidden="true"]') || el.disabled) { continue; }
    if (el.closest('.hide, .visually-hidden') || cs.opacity === '0') { continue; }
    // inline links in running text are exempt (WCAG 2.5.8), but ours are padded to 40 px anyway
    if (r.height < minimum || r.width < minimum) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className).slice(0, 40)} "${(el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return out;
}"""


def small_targets(page, minimum: int = 40) -> list[str]:
    """Visible interactive elements smaller than ``minimum`` px in either direction."""
    return page.evaluate(SMALL_TARGETS_JS, minimum)


CONTRAST_JS = r"""(minimum) => {
  const parse = (c) => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) { return null; }
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const blend = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1});
  // the colours behind an element: solid backgrounds blended from the page up, gradients give one colour per stop
  const backgrounds = (el) => {
    const chain = []; for (let e = el; e; e = e.parentElement) { chain.push(e); }
    let bgs = [{r: 255, g: 255, b: 255, a: 1}];
    for (const e of chain.reverse()) {
      const cs = getComputedStyle(e);
      const img = cs.backgroundImage;
      if (img && img.includes('gradient')) {
        const stops = (img.match(/rgba?\([^)]+\)/g) || []).map(parse).filter(Boolean);
        if (stops.length) { bgs = stops.map((s) => blend(s, bgs[0])); continue; }
      }
      const c = parse(cs.backgroundColor);
      if (c && c.a > 0) { bgs = bgs.map((b) => blend(c, b)); }
    }
    return bgs;
  };
  const out = [];
  const check = (el, colour, what) => {
    const fg = parse(colour); if (!fg || fg.a === 0) { return; }
    for (const bg of backgrounds(el)) {
      const r = ratio(blend(fg, bg), bg);
      if (r < minimum) { out.push(`${what} ${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className).slice(0, 30)} "${(el.innerText || el.placeholder || '').trim().slice(0, 16)}" ${r.toFixed(2)}`); return; }
    }
  };
  for (const el of document.querySelectorAll('body *')) {
    const rect = el.getBoundingClientRect(); const cs = getComputedStyle(el);
    if (rect.width === 0 || rect.height === 0 || cs.visibility === 'hidden' || el.disabled || el.closest('[aria-hidden="true"]')) { continue; }
    let opaque = true; for (let e = el; e; e = e.parentElement) { if (parseFloat(getComputedStyle(e).opacity) < 1) { opaque = false; break; } }
    if (!opaque) { continue; }
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (ownText) { check(el, cs.color, 'text'); }
    if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && el.placeholder && !el.value) { check(el, getComputedStyle(el, '::placeholder').color, 'placeholder'); }
  }
  return out;
}"""


def low_contrast(page, minimum: float = 4.5) -> list[str]:
    """Visible text (and placeholders) whose contrast with what is behind it is below ``minimum``."""
    return page.evaluate(CONTRAST_JS, minimum)


def in_viewport(page, selector: str) -> bool:
    """Is the whole first element matching ``selector`` inside the viewport?"""
    return page.evaluate(
        """(sel) => { const el = document.querySelector(sel); if (!el) { return false; }
        const r = el.getBoundingClientRect(); return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth && r.height > 0; }""",
        selector,
    )
