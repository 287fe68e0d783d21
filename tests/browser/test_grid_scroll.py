"""Issue 16: a fling through the grid fetches nothing for the rows it flies past.

At 400 px a frame, every thumbnail request of a passed row cost the server and the page more
than the frame itself (the fling ran at about 40 frames/s on two cores). The grid now waits
while the scroll is fast and fetches what is in view once it slows down or stops. Checked on a
project of 6,000 images (rows written by the store, thumbnails made here): the requests made
during a fling, then every thumbnail in view after it, in order, each in its own cell.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Page

from corpuscope.ingest.records import FileRecord, ImageRecord
from corpuscope.ingest.thumbnails import thumbnail_path
from corpuscope.store.db import create_project
from corpuscope.store.files import save_file_records
from corpuscope.store.folders import mark_folder_imported, save_folder
from corpuscope.web.hub import project_id

from .conftest import TOKEN, Browsing, start_server, stop_server

pytestmark = pytest.mark.browser
COUNT = 6000
THUMB = re.compile(r"/images/(\d+)/thumbnail")

# Scroll by `step` px a frame for `frames` frames (a fling far faster than any reading pace,
# however slow the frames), then leave the grid where it is.
FLING = """async ([step, frames]) => {
  const grid = document.querySelector('[data-testid=grid]');
  for (let i = 0; i < frames; i++) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    grid.scrollTop += step;
  }
  return grid.scrollTop;
}"""

# Every cell the grid holds (in view or not): its left and top edges.
CELLS = """() => [...document.querySelectorAll('[data-testid=thumb]')].map((cell) => {
  const box = cell.getBoundingClientRect();
  return [Math.round(box.left), Math.round(box.top)];
})"""

# The cells in view, in reading order: their names, ids, and the picture each one shows.
IN_VIEW = """() => {
  const grid = document.querySelector('[data-testid=grid]').getBoundingClientRect();
  return [...document.querySelectorAll('[data-testid=thumb]')]
    .map((cell) => ({ cell, box: cell.getBoundingClientRect() }))
    .filter(({ box }) => box.bottom > grid.top && box.top < grid.bottom)
    .sort((a, b) => a.box.top - b.box.top || a.box.left - b.box.left)
    .map(({ cell }) => {
      const img = cell.querySelector('img');
      return {
        name: cell.getAttribute('aria-label'),
        id: cell.dataset.id ?? null,
        src: img ? img.getAttribute('src') : null,
        loaded: img ? img.complete && img.naturalWidth > 0 : false,
      };
    });
}"""


def _make_project(root: Path) -> None:
    """6,000 images: rows through the store, thumbnails as links to 20 pictures made here."""
    pictures = root.parent / "pictures"
    pictures.mkdir()
    for index in range(20):
        for size in (128, 512):
            colour = (index * 12, 255 - index * 12, (index * 37) % 256)
            Image.new("RGB", (size, size * 3 // 4), colour).save(pictures / f"{index}-{size}.jpg")
    project = create_project(root)
    folder_path = root.parent / "images"
    folder_path.mkdir()
    records = []
    for i in range(COUNT):
        sha1 = hashlib.sha1(f"scroll-{i}".encode()).hexdigest()
        image = ImageRecord(sha1, 640, 480, "JPEG", None)
        records.append(FileRecord(f"img{i:05d}.jpg", 1000, 0, sha1, image))
        for size in (128, 512):
            target = thumbnail_path(project.thumbs_dir, sha1, size)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(pictures / f"{i % 20}-{size}.jpg", target)
    with project, project.write() as conn:
        folder = save_folder(conn, folder_path)
        save_file_records(conn, folder, records, exists=lambda path: True)
        mark_folder_imported(conn, folder.id)


def test_a_fling_fetches_nothing_it_passes_and_everything_in_view_once_it_stops(
    browsing: Browsing, built_ui: Path, tmp_path: Path
) -> None:
    page = browsing.page
    assert isinstance(page, Page)
    root = tmp_path / "project"
    _make_project(root)
    url, thread, handle = start_server(root, tmp_path / "home")
    try:
        asked: list[str] = []
        page.on("request", lambda request: asked.append(urlsplit(request.url).path))
        page.goto(f"{url}?token={TOKEN}#/p/{project_id(root.resolve())}/grid")
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=grid] img').length > 0"
        )
        cells = page.evaluate(CELLS)
        columns = len({left for left, _ in cells})
        asked.clear()

        top = page.evaluate(FLING, [800, 80])  # 64,000 px: about 480 rows flown past
        passed = asked.copy()
        first_row = int(top // (128 + 6))  # the row at the top of the grid now
        flown = range(40 * columns, (first_row - 20) * columns)  # rows neither here nor at start
        # ids count from 1 in the order written: image id i is img{i - 1}
        thumbs = [int(found.group(1)) for path in passed if (found := THUMB.search(path))]
        # the window of the first frame may load (a scroll from rest starts slow), no row after
        assert not [image for image in thumbs if image - 1 in flown], sorted(thumbs)
        assert len(thumbs) <= len(cells), (len(thumbs), len(cells))
        queries = [path for path in passed if path.endswith("/images/query")]
        assert len(queries) <= 1, queries  # a page per 200 images passed before: 30 or so

        page.wait_for_function(
            """() => {
              const grid = document.querySelector('[data-testid=grid]').getBoundingClientRect();
              const cells = [...document.querySelectorAll('[data-testid=thumb]')].filter((cell) => {
                const box = cell.getBoundingClientRect();
                return box.bottom > grid.top && box.top < grid.bottom;
              });
              return cells.length > 0 && cells.every((cell) => {
                const img = cell.querySelector('img');
                return img && img.complete && img.naturalWidth > 0;
              });
            }"""
        )
        shown = page.evaluate(IN_VIEW)
        numbers = [int(cell["name"][3:8]) for cell in shown]
        assert numbers[0] == first_row * columns
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # same order
        for cell in shown:  # each cell shows its own image's picture, none left from a reuse
            match = THUMB.search(cell["src"] or "")
            assert match and match.group(1) == cell["id"], cell
        browsing.shot("after-fling")
    finally:
        page.goto("about:blank")  # nothing left loading when the server stops
        stop_server(thread, handle)
