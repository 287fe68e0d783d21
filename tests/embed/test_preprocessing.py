from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from corpuscope.embed.efficientnet import PREPROCESSING
from corpuscope.embed.preprocessing import ImagePreprocessing, to_rgb
from corpuscope.errors import InvalidInput


def _gradient(width: int, height: int) -> Image.Image:
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256])
    return Image.fromarray(rgb.transpose(1, 2, 0).astype(np.uint8))


@pytest.mark.parametrize(
    "size", [(640, 480), (480, 640), (224, 224), (300, 1200), (1, 1), (3, 500)]
)
def test_apply_gives_the_model_input_shape(size: tuple[int, int]) -> None:
    pixels = PREPROCESSING.apply(_gradient(*size))
    assert pixels.shape == (3, 224, 224)
    assert pixels.dtype == np.float32
    assert pixels.flags["C_CONTIGUOUS"]
    assert pixels.min() >= -1.0 and pixels.max() <= 1.0


def test_normalisation_is_rgb_minus_mean_over_std() -> None:
    pixels = PREPROCESSING.apply(Image.new("RGB", (300, 300), (255, 127, 0)))
    assert np.allclose(pixels[:, 100, 100], [128 / 128, 0.0, -127 / 128])


def test_resampling_only_the_crop_equals_resize_then_crop() -> None:
    image = _gradient(512, 384)
    fast = PREPROCESSING.resize_and_crop(image).astype(int)
    resized = image.resize((341, 256), Image.Resampling.BICUBIC)
    left, top = (341 - 224) // 2, (256 - 224) // 2
    slow = np.asarray(resized.crop((left, top, left + 224, top + 224))).astype(int)
    assert np.abs(fast - slow).max() <= 1
    assert (fast != slow).mean() < 0.01


def test_square_mode_ignores_the_aspect_ratio() -> None:
    square = ImagePreprocessing(resize=32, crop=None, mean=(0, 0, 0), std=(1, 1, 1), mode="square")
    assert square.apply(_gradient(100, 20)).shape == (3, 32, 32)


def test_a_crop_larger_than_the_resized_picture_is_padded() -> None:
    odd = ImagePreprocessing(resize=20, crop=32, mean=(0, 0, 0), std=(1, 1, 1), mode="square")
    pixels = odd.apply(Image.new("RGB", (50, 50), (255, 255, 255)))
    assert pixels.shape == (3, 32, 32)
    assert pixels[:, 0, 0].max() == 0 and pixels[:, 16, 16].min() == 255


def test_transparency_goes_over_white() -> None:
    clear = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    assert to_rgb(clear).getpixel((5, 5)) == (255, 255, 255)
    palette = Image.new("P", (10, 10), 0)
    palette.info["transparency"] = 0
    assert to_rgb(palette).getpixel((5, 5)) == (255, 255, 255)


def test_sixteen_bit_and_float_pictures_are_scaled_not_clipped() -> None:
    wide = Image.fromarray(np.full((8, 8), 32896, dtype=np.uint16))  # mid-grey in 16 bits
    assert to_rgb(wide).getpixel((0, 0)) == (128, 128, 128)
    unit = Image.fromarray(np.full((8, 8), 0.5, dtype=np.float32))
    assert to_rgb(unit).getpixel((0, 0)) == (127, 127, 127)
    grey = Image.new("L", (4, 4), 77)
    assert to_rgb(grey).getpixel((0, 0)) == (77, 77, 77)


def test_describe_is_stable_and_says_what_matters() -> None:
    text = PREPROCESSING.describe()
    assert text == PREPROCESSING.describe()
    assert "256" in text and "224" in text and "bicubic" in text and "127" in text
    other = ImagePreprocessing(resize=256, crop=224, mean=(127, 127, 127), std=(64, 64, 64))
    assert other.describe() != text


def test_preprocessing_pickles_for_worker_processes() -> None:
    copy = pickle.loads(pickle.dumps(PREPROCESSING))
    assert copy == PREPROCESSING
    image = _gradient(200, 150)
    assert np.array_equal(copy.apply(image), PREPROCESSING.apply(image))


def test_reads_a_clip_preprocessor_config(tmp_path: Path) -> None:
    path = tmp_path / "preprocessor_config.json"
    config = {
        "size": {"shortest_edge": 224},
        "crop_size": {"height": 224, "width": 224},
        "do_center_crop": True,
        "resample": 3,
        "rescale_factor": 0.00392156862745098,
        "image_mean": [0.48145466, 0.4578275, 0.40821073],
        "image_std": [0.26862954, 0.26130258, 0.27577711],
    }
    path.write_text(json.dumps(config))
    result = ImagePreprocessing.from_hf_config(path)
    assert (result.resize, result.crop, result.mode, result.resample) == (
        224,
        224,
        "short_side",
        "bicubic",
    )
    assert np.allclose(result.mean, [122.7709, 116.7460, 104.0937], atol=1e-3)
    assert np.allclose(result.std, [68.5005, 66.6322, 70.3232], atol=1e-3)


def test_reads_a_siglip_preprocessor_config(tmp_path: Path) -> None:
    path = tmp_path / "preprocessor_config.json"
    config = {
        "size": {"height": 224, "width": 224},
        "resample": 2,
        "rescale_factor": 1 / 255,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
    }
    path.write_text(json.dumps(config))
    result = ImagePreprocessing.from_hf_config(path)
    assert (result.resize, result.crop, result.mode, result.resample) == (
        224,
        None,
        "square",
        "bilinear",
    )
    assert np.allclose(result.mean, [127.5] * 3) and np.allclose(result.std, [127.5] * 3)


def test_a_config_without_a_size_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "preprocessor_config.json"
    path.write_text(json.dumps({"image_mean": [0.5, 0.5, 0.5]}))
    with pytest.raises(InvalidInput, match="image size"):
        ImagePreprocessing.from_hf_config(path)


def test_matches_the_hugging_face_clip_processor(tmp_path: Path) -> None:
    from transformers import CLIPImageProcessorPil

    hf = CLIPImageProcessorPil(
        size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224}, resample=3
    )
    hf.save_pretrained(tmp_path)
    ours = ImagePreprocessing.from_hf_config(tmp_path / "preprocessor_config.json")
    image = _gradient(400, 300)
    expected = np.asarray(hf(images=[image], return_tensors="np")["pixel_values"][0])
    assert expected.shape == (3, 224, 224)
    assert np.abs(ours.apply(image) - expected).max() < 0.05  # at most ~1 grey level
