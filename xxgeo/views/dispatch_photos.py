"""The 调度 view's progress photos: the upload (a township head: their own township's projects), the warning
when a photo was taken far from the project, the offer to place an unlocated project at the photo's GPS
position, and the project's photo timeline of re-encoded thumbnails kept in the store."""

from __future__ import annotations

import pandas as pd


def photo_form(ctx, month: str, rows: pd.DataFrame) -> None:
    """Upload a photo for one of ``rows``' projects."""


def timeline(ctx, project_id: str) -> None:
    """The project's photos, newest first."""
