from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from corpuscope.embed.chunks import (
    EmbeddedBatch,
    _long_side_target,
    merge_batches,
    prepare_chunk,
    prepare_file,
)
from corpuscope.embed.efficientnet import PREPROCESSING
from corpuscope.ingest.decode import BadImage


def test_prepares_good_files_in_input_order(tmp_path: Path) -> None:
    paths = []
    for index, colour in enumerate([(250, 0, 0), (0, 250, 0), (0, 0, 250)]):
        path = tmp_path / f"{index}.png"
        Image.new("RGB", (40, 30), colour).save(path)
        paths.append(path)
    chunk = prepare_chunk(
        [(7, str(paths[0])), (3, str(paths[1])), (5, str(paths[2]))], PREPROCESSING
    )
    assert chunk.ids.tolist() == [7, 3, 5]
    assert chunk.ids.dtype == np.int64
    assert chunk.pixels.shape == (3, 3, 224, 224)
    assert chunk.failures == ()
    assert chunk.pixels[0, 0].mean() > chunk.pixels[1, 0].mean()  # red first


def test_bad_files_become_failures_with_one_sentence(broken_files: dict[str, Path]) -> None:
    items = [(index, str(path)) for index, path in enumerate(broken_files.values())]
    good = broken_files["empty"].parent / "good.jpg"
    items.insert(2, (99, str(good)))
    chunk = prepare_chunk(items, PREPROCESSING)
    assert chunk.ids.tolist() == [99]
    assert [item_id for item_id, _ in chunk.failures] == list(range(len(broken_files)))
    reasons = dict(zip(broken_files, (reason for _, reason in chunk.failures), strict=True))
    for reason in reasons.values():
        assert reason[0].isupper() and reason.endswith(".") and "\n" not in reason
    lower = {kind: reason.lower() for kind, reason in reasons.items()}
    assert "empty" in lower["empty"]
    assert "truncated" in lower["truncated"] or "damaged" in lower["truncated"]
    assert "not an image" in lower["fake"]
    assert "does not exist" in lower["missing"]
    assert "folder" in lower["folder"]


def test_an_all_bad_chunk_has_empty_pixels(broken_files: dict[str, Path]) -> None:
    chunk = prepare_chunk([(1, str(broken_files["fake"]))], PREPROCESSING)
    assert chunk.pixels.shape == (0, 3, 224, 224)
    assert chunk.ids.shape == (0,)


def test_jpeg_draft_decoding_and_exif_orientation(tmp_path: Path) -> None:
    # A tall picture stored sideways with EXIF orientation 6: its top half is red once rotated.
    upright = np.zeros((1600, 1200, 3), np.uint8)
    upright[:800] = (220, 20, 20)
    upright[800:] = (20, 20, 220)
    stored = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "sideways.jpg"
    stored.save(path, quality=90, exif=exif)
    pixels = prepare_file(path, PREPROCESSING)
    assert pixels[0, 10, 112] > 0.5 and pixels[2, 10, 112] < -0.5  # red at the top
    assert pixels[2, 210, 112] > 0.5  # blue at the bottom


def test_prepare_file_raises_bad_image_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadImage, match="does not exist"):
        prepare_file(tmp_path / "nope.jpg", PREPROCESSING)


def test_merge_batches_keeps_order_and_dims() -> None:
    first = EmbeddedBatch(np.array([1], np.int64), np.ones((1, 3), np.float32), ((2, "Bad."),))
    empty = EmbeddedBatch(np.empty(0, np.int64), np.empty((0, 3), np.float32), ((3, "Bad."),))
    last = EmbeddedBatch(np.array([4], np.int64), np.zeros((1, 3), np.float32), ())
    merged = merge_batches([first, empty, last], dim=3)
    assert merged.ids.tolist() == [1, 4]
    assert merged.vectors.tolist() == [[1, 1, 1], [0, 0, 0]]
    assert merged.failures == ((2, "Bad."), (3, "Bad."))
    nothing = merge_batches([empty], dim=3)
    assert nothing.vectors.shape == (0, 3)


@pytest.mark.parametrize("size", [(1600, 1200), (1200, 1600), (4000, 1000), (512, 384)])
def test_draft_decoding_keeps_the_short_side_the_model_needs(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    from .conftest import generated_picture

    path = tmp_path / "big.jpg"
    generated_picture(1, size).save(path, quality=92)
    assert _long_side_target(size, 256) * min(size) >= 256 * max(size)
    fast = prepare_file(path, PREPROCESSING)
    with Image.open(path) as image:
        full = PREPROCESSING.apply(image)
    assert np.abs(fast - full).mean() < 0.02  # about two grey levels
