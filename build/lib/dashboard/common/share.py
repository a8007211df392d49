"""Sharing a view: a "Copy link" button on every page and section anchors that land on their
section. The link is the browser's own address, which `dashboard.filters` keeps equal to the
view (every filter writes its value to `st.query_params`), so a copied link reopens it.

Why a script: the server does not know the address bar's exact text, and a heading anchor
(`/page#section`) is scrolled to by Streamlit before the charts above it have drawn, so it lands
hundreds of pixels above its section once they do. The script runs in a same-origin component
frame; it reads the parent's address, copies it (falling back to a visible text box when the
clipboard is refused), and re-scrolls to the anchor until the page stops growing.
"""

from __future__ import annotations

import streamlit as st

HEIGHT = 44

SCRIPT = """
<style>
 body{margin:0;font:14px "Source Sans Pro",sans-serif}
 button{font:inherit;padding:4px 12px;border:1px solid #8a8a8a;border-radius:6px;
        background:#fff;cursor:pointer}
 button:focus-visible{outline:3px solid #1f5fbf;outline-offset:2px}
 #link{width:55%;font:inherit;margin-left:8px;display:none}
 #status{margin-left:8px;color:#333}
</style>
<button id="copy" type="button" aria-describedby="status">Copy link to this view</button>
<input id="link" readonly aria-label="Link to this view">
<span id="status" role="status" aria-live="polite"></span>
<script>
const top_ = window.parent;
const status = document.getElementById("status");
const box = document.getElementById("link");
function shown(text){ status.textContent = text; }
function fallback(url){
  box.style.display = "inline-block"; box.value = url; box.focus(); box.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  shown(ok ? "Link copied." : "Select the link and copy it.");
}
document.getElementById("copy").addEventListener("click", () => {
  const url = top_.location.href;
  box.value = url;
  const clip = navigator.clipboard;
  if (clip && clip.writeText) {
    clip.writeText(url).then(() => shown("Link copied."), () => fallback(url));
  } else { fallback(url); }
});
// Headings keep clear of the fixed header when scrolled to.
const doc = top_.document;
if (!doc.getElementById("kw-anchor-style")) {
  const style = doc.createElement("style");
  style.id = "kw-anchor-style";
  style.textContent = "h1[id],h2[id],h3[id],h4[id]{scroll-margin-top:4.5rem}";
  doc.head.appendChild(style);
}
// Land on the anchor once the page above it has drawn: re-scroll while the section moves,
// stop when the reader scrolls or after 15 s.
const hash = decodeURIComponent(top_.location.hash.slice(1));
if (hash && !top_.__kwAnchorDone) {
  top_.__kwAnchorDone = true;
  let last = null, still = 0, stopped = false;
  const stop = () => { stopped = true; };
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(e =>
    top_.addEventListener(e, stop, {once: true, passive: true}));
  const started = Date.now();
  const tick = () => {
    if (stopped || Date.now() - started > 15000) return;
    const target = doc.getElementById(hash);
    if (target) {
      target.scrollIntoView({block: "start"});
      const y = target.getBoundingClientRect().top;
      still = last !== null && Math.abs(y - last) <= 2 ? still + 1 : 0;
      last = y;
      if (still > 8) { top_.__kwAnchorLanded = hash; return; }
    }
    setTimeout(tick, 250);
  };
  tick();
}
</script>
"""


def link_tools() -> None:
    """The "Copy link to this view" button (and the anchor fix), drawn once per page."""
    st.iframe(SCRIPT, height=HEIGHT, alt="Copy link to this view")
