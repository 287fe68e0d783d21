"""Similar images, text search, recommendations and the map."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from corpuscope.web.schemas.common import IdList, Name, Number, Strict, clean_text

Score = Annotated[Number, Field(ge=-1, le=1)]
Target = Annotated[
    str,
    Field(min_length=1, max_length=500, examples=["tag:12", "group:7", "grid:Period=3"]),
    AfterValidator(clean_text),
]


class Window(Strict):
    limit: int = Field(default=50, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000)
    min_score: Score | None = None
    model: Name | None = None


class SimilarIn(Window):
    """Images most like ``image_ids`` (the mean similarity to them), those excluded."""

    image_ids: IdList = Field(min_length=1)


class SearchIn(Window):
    """Images matching a text (needs vectors of a model that reads text, e.g. CLIP)."""

    text: Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(clean_text)]


class MatchOut(BaseModel):
    """``score``: cosine similarity; ``z_score``: how far above the corpus average it lies."""

    image_id: int
    score: float
    z_score: float


class MatchListOut(BaseModel):
    items: list[MatchOut]


class RecommendIn(Window):
    """Images like a group but not in it. ``target`` names the group: ``tag:<id>``,
    ``group:<id>`` (a cluster), or any key of your own with the group's ``image_ids``.
    ``restrict_to``: only propose these images (e.g. the ids of the current filter)."""

    target: Target
    image_ids: IdList | None = None
    restrict_to: IdList | None = None


class RecommendationOut(BaseModel):
    image_id: int
    score: float


class RecommendationListOut(BaseModel):
    target: str
    items: list[RecommendationOut]


class RefuseIn(Strict):
    """These images are not proposed for ``target`` again."""

    target: Target
    image_ids: IdList = Field(min_length=1)


class TargetIn(Strict):
    target: Target


class MapIn(Strict):
    """``refit``: lay the map out again (otherwise new images are placed on the old one)."""

    model: Name | None = None
    refit: bool = False


class SubsetMapIn(Strict):
    image_ids: IdList = Field(min_length=2)
    model: Name | None = None


class MapOut(BaseModel):
    """One point per image with a vector: ``ids[i]`` is at ``(x[i], y[i])``, both in [-1, 1]."""

    ids: list[int]
    x: list[float]
    y: list[float]


class PlacesOut(BaseModel):
    """One point per image whose file holds a GPS position, in degrees (WGS 84)."""

    ids: list[int]
    latitude: list[float]
    longitude: list[float]
