"""The management review or output a route names, loaded once for the API and the pages
(404 if none)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from qms.deps import IdPath, SessionDep
from qms.reviews import service
from qms.reviews.models import ManagementReview, ReviewOutput


def review_of(review_id: IdPath, session: SessionDep) -> ManagementReview:
    return service.get_review(session=session, review_id=review_id)


def output_of(output_id: IdPath, session: SessionDep) -> ReviewOutput:
    return service.get_output(session=session, output_id=output_id)


CurrentReview = Annotated[ManagementReview, Depends(review_of)]
CurrentOutput = Annotated[ReviewOutput, Depends(output_of)]
