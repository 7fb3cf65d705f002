"""Routes of the catalog and of courses themselves."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from course.deps import CourseServiceDep
from course.domain import (
    MAX_CATEGORY_LENGTH,
    MAX_IDS_PER_QUERY,
    MAX_QUERY_LENGTH,
    CatalogQuery,
    CatalogSort,
    CourseDraft,
    Level,
)
from course.schemas import (
    CourseCreateRequest,
    CourseDetailResponse,
    CourseResponse,
    CourseUpdateRequest,
)
from edu_common.deps import OptionalUser, PageParams, TeacherUser
from edu_common.schemas import Page

courses = APIRouter(prefix="/api/courses", tags=["courses"])
teachers = APIRouter(prefix="/api/teachers", tags=["courses"])

# Price filters are bounded by PostgreSQL's integer so that no input can overflow a query.
MAX_PRICE_FILTER = 2_147_483_647


@courses.get("", summary="The public catalog: published courses, searched, filtered, sorted")
async def catalog(
    service: CourseServiceDep,
    page: PageParams,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description="Case-insensitive substring of the title or description; "
            "% _ and \\ match literally",
        ),
    ] = None,
    category: Annotated[
        str | None,
        Query(max_length=MAX_CATEGORY_LENGTH, description="Exact category, any case"),
    ] = None,
    level: Annotated[Level | None, Query(description="beginner|intermediate|advanced")] = None,
    min_price: Annotated[int | None, Query(ge=0, le=MAX_PRICE_FILTER, description="cents")] = None,
    max_price: Annotated[int | None, Query(ge=0, le=MAX_PRICE_FILTER, description="cents")] = None,
    free: Annotated[bool, Query(description="Only free courses (price_cents = 0)")] = False,
    sort: Annotated[
        CatalogSort,
        Query(
            description="newest (default) | rating | price_asc | price_desc | popular "
            "(popular = most reviews)"
        ),
    ] = CatalogSort.NEWEST,
    ids: Annotated[
        str | None,
        Query(
            max_length=MAX_IDS_PER_QUERY * 40,  # 36 characters an id, a comma, spaces
            description=f"Only these courses: up to {MAX_IDS_PER_QUERY} ids separated by commas "
            "(e.g. a student's enrolled courses, read in one request)",
        ),
    ] = None,
) -> Page[CourseResponse]:
    query = CatalogQuery.build(
        q=q,
        category=category,
        level=level,
        min_price=min_price,
        max_price=max_price,
        free=free,
        sort=sort,
        page=page,
        ids=ids,
    )
    return Page[CourseResponse].of(await service.catalog(query), page)


@courses.post("", status_code=status.HTTP_201_CREATED, summary="Create a course (teachers)")
async def create_course(
    body: CourseCreateRequest, user: TeacherUser, service: CourseServiceDep
) -> CourseResponse:
    draft = CourseDraft(
        title=body.title,
        description=body.description,
        category=body.category,
        level=Level(body.level),
        price_cents=body.price_cents,
        currency=body.currency,
        is_published=body.is_published,
    )
    return CourseResponse.of(await service.create(user, draft))


@courses.get("/{course_id}", summary="A course with its counts, rating and signed offer")
async def course_detail(
    course_id: uuid.UUID, user: OptionalUser, service: CourseServiceDep
) -> CourseDetailResponse:
    detailed = await service.detail(course_id, user)
    return CourseDetailResponse.of(detailed.course, offer=detailed.offer)


@courses.patch("/{course_id}", summary="Change a course (its owner)")
async def update_course(
    course_id: uuid.UUID, body: CourseUpdateRequest, user: TeacherUser, service: CourseServiceDep
) -> CourseResponse:
    changes = body.changes()
    if "level" in changes:
        changes["level"] = Level(changes["level"])
    return CourseResponse.of(await service.update(user, course_id, changes))


@courses.delete(
    "/{course_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a course with its modules, lessons and reviews (its owner)",
)
async def delete_course(course_id: uuid.UUID, user: TeacherUser, service: CourseServiceDep) -> None:
    await service.delete(user, course_id)


@teachers.get("/me/courses", summary="The calling teacher's own courses, drafts included")
async def my_courses(
    user: TeacherUser, service: CourseServiceDep, page: PageParams
) -> Page[CourseResponse]:
    return Page[CourseResponse].of(await service.of_teacher(user, page), page)
