"""What a model does to a picture before its forward pass, as a small picklable value.

:class:`ImagePreprocessing` needs neither torch nor the model's weights, so the pipeline's
worker processes receive it and prepare inputs while the main process runs the model.
Its :meth:`~ImagePreprocessing.describe` string is recorded with the vectors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image

from corpuscope.errors import InvalidInput

ResizeMode = Literal["short_side", "square"]
Resample = Literal["nearest", "bilinear", "bicubic", "lanczos", "box", "hamming"]

_RESAMPLE: dict[str, Image.Resampling] = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
    "box": Image.Resampling.BOX,
    "hamming": Image.Resampling.HAMMING,
}
# Pillow's integer codes, as written in Hugging Face ``preprocessor_config.json`` files.
_RESAMPLE_CODES: dict[int, Resample] = {
    0: "nearest",
    1: "lanczos",
    2: "bilinear",
    3: "bicubic",
    4: "box",
    5: "hamming",
}


@dataclass(frozen=True)
class ImagePreprocessing:
    """Resize, centre-crop and normalise an RGB picture into a ``(3, H, W)`` float32 array.

    ``resize`` is the short side (``mode="short_side"``) or both sides (``mode="square"``,
    which ignores the aspect ratio). ``crop`` is the side of the centre crop, or ``None``.
    ``mean`` and ``std`` are per channel in 0-255 units: ``(rgb - mean) / std``.
    """

    resize: int
    crop: int | None
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    mode: ResizeMode = "short_side"
    resample: Resample = "bicubic"

    @property
    def size(self) -> int:
        """Side of the square model input."""
        return self.crop if self.crop is not None else self.resize

    def describe(self) -> str:
        """A stable one-line description, recorded with the vectors it produced."""
        if self.mode == "short_side":
            resize = f"resize short side to {self.resize} ({self.resample})"
        else:
            resize = f"resize to {self.resize}x{self.resize} ({self.resample})"
        crop = f"; centre crop {self.crop}" if self.crop is not None else ""
        mean = ", ".join(f"{value:g}" for value in self.mean)
        std = ", ".join(f"{value:g}" for value in self.std)
        return (
            f"EXIF-oriented RGB, transparency over white; {resize}{crop}; "
            f"(rgb - [{mean}]) / [{std}] on 0-255; CHW float32"
        )

    def apply(self, image: Image.Image) -> npt.NDArray[np.float32]:
        """``(3, size, size)`` float32 model input from a picture of any mode and size."""
        return self.normalize(self.resize_and_crop(image))

    def resize_and_crop(self, image: Image.Image) -> npt.NDArray[np.uint8]:
        """``(size, size, 3)`` uint8 pixels: the geometric half of :meth:`apply`."""
        rgb = to_rgb(image)
        width, height = rgb.size
        if width < 1 or height < 1:
            raise InvalidInput("The image has no pixels.")
        resized_width, resized_height = self._resized_size(width, height)
        if self.crop is None:
            if (resized_width, resized_height) != (width, height):
                rgb = rgb.resize((resized_width, resized_height), _RESAMPLE[self.resample])
            return np.asarray(rgb, dtype=np.uint8)
        crop = min(self.crop, resized_width, resized_height)
        left, top = (resized_width - crop) // 2, (resized_height - crop) // 2
        # Resample only the crop: the same filter taps as resizing everything and then
        # cropping (box is in source pixels), at about 60 % of the cost.
        scale_x, scale_y = width / resized_width, height / resized_height
        box = (left * scale_x, top * scale_y, (left + crop) * scale_x, (top + crop) * scale_y)
        rgb = rgb.resize((crop, crop), _RESAMPLE[self.resample], box=box)
        if crop < self.crop:  # a picture smaller than the crop after resizing: pad with black
            padded = Image.new("RGB", (self.crop, self.crop))
            padded.paste(rgb, ((self.crop - crop) // 2, (self.crop - crop) // 2))
            rgb = padded
        return np.asarray(rgb, dtype=np.uint8)

    def normalize(self, pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """``(H, W, 3)`` uint8 → ``(3, H, W)`` float32 ``(rgb - mean) / std``."""
        mean = np.asarray(self.mean, dtype=np.float32).reshape(3, 1, 1)
        std = np.asarray(self.std, dtype=np.float32).reshape(3, 1, 1)
        chw = pixels.transpose(2, 0, 1)
        # Written straight into a CHW buffer: the same values as converting, normalising
        # and then making the transpose contiguous, at a tenth of the cost.
        out = np.empty(chw.shape, dtype=np.float32)
        np.subtract(chw, mean, out=out, dtype=np.float32)
        np.divide(out, std, out=out)
        return out

    def _resized_size(self, width: int, height: int) -> tuple[int, int]:
        if self.mode == "square":
            return self.resize, self.resize
        short, long = (width, height) if width <= height else (height, width)
        new_long = int(self.resize * long / short)  # as Hugging Face image processors do
        return (self.resize, new_long) if width <= height else (new_long, self.resize)

    @classmethod
    def from_hf_config(cls, path: Path) -> ImagePreprocessing:
        """Read a Hugging Face ``preprocessor_config.json`` (CLIP and SigLIP layouts)."""
        config = json.loads(path.read_text(encoding="utf-8"))
        if "image_processor" in config:  # a processor_config.json nests it
            config = config["image_processor"]
        return _from_hf_dict(config)


def to_rgb(image: Image.Image) -> Image.Image:
    """An RGB view of ``image``: transparency over white, 16-bit and float scaled to 8 bits."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        values = np.asarray(image, dtype=np.float64)
        top = 255.0 if values.size == 0 or values.max() <= 255 else 65535.0
        if image.mode == "F" and values.size and values.max() <= 1.0:
            top = 1.0
        grey = np.clip(values * (255.0 / top), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    return image.convert("RGB")


def _side(value: Any, *keys: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    for key in keys:
        if key in value:
            return int(value[key])
    return None


def _from_hf_dict(config: dict[str, Any]) -> ImagePreprocessing:
    size = config.get("size")
    short = _side(size, "shortest_edge")
    square = None if short is not None else _side(size, "height", "width")
    crop = _side(config.get("crop_size"), "height", "width")
    if not config.get("do_center_crop", crop is not None):
        crop = None
    if short is None and square is None:
        raise InvalidInput("The model's preprocessor_config.json does not give an image size.")
    rescale = float(config.get("rescale_factor", 1 / 255)) if config.get("do_rescale", True) else 1
    mean = config.get("image_mean", [0.0, 0.0, 0.0]) if config.get("do_normalize", True) else None
    std = config.get("image_std", [1.0, 1.0, 1.0]) if config.get("do_normalize", True) else None
    mean_255 = tuple(float(v) / rescale for v in (mean or [0.0, 0.0, 0.0]))
    std_255 = tuple(float(v) / rescale for v in (std or [1.0, 1.0, 1.0]))
    if len(mean_255) != 3 or len(std_255) != 3:
        raise InvalidInput("The model's preprocessor_config.json needs three means and stds.")
    return ImagePreprocessing(
        resize=short if short is not None else int(square or 0),
        crop=crop,
        mean=(mean_255[0], mean_255[1], mean_255[2]),
        std=(std_255[0], std_255[1], std_255[2]),
        mode="short_side" if short is not None else "square",
        resample=_RESAMPLE_CODES.get(int(config.get("resample", 3)), "bicubic"),
    )
