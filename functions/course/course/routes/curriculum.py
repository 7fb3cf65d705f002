"""Routes of a course's curriculum: modules and lessons."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from course.deps import CurriculumServiceDep, EntitlementHeader
from course.schemas import (
    CurriculumResponse,
    LessonCreateRequest,
    LessonResponse,
    LessonUpdateRequest,
    ModuleCreateRequest,
    ModuleResponse,
    ModuleUpdateRequest,
)
from edu_common.deps import OptionalUser, TeacherUser
from edu_common.schemas import error_responses

curriculum = APIRouter(prefix="/api/courses", tags=["curriculum"])
modules = APIRouter(prefix="/api/modules", tags=["curriculum"])
lessons = APIRouter(prefix="/api/lessons", tags=["curriculum"])


@curriculum.get("/{course_id}/curriculum", summary="Modules with their lessons, in order")
async def course_curriculum(
    course_id: uuid.UUID, user: OptionalUser, service: CurriculumServiceDep
) -> CurriculumResponse:
    return CurriculumResponse.of_modules(course_id, await service.curriculum(course_id, user))


@curriculum.post(
    "/{course_id}/modules",
    status_code=status.HTTP_201_CREATED,
    summary="Add a module (owner); appended unless a position is given",
)
async def add_module(
    course_id: uuid.UUID,
    body: ModuleCreateRequest,
    user: TeacherUser,
    service: CurriculumServiceDep,
) -> ModuleResponse:
    module = await service.add_module(user, course_id, title=body.title, position=body.position)
    return ModuleResponse.of(module)


@modules.patch("/{module_id}", summary="Rename or move a module (owner)")
async def update_module(
    module_id: uuid.UUID,
    body: ModuleUpdateRequest,
    user: TeacherUser,
    service: CurriculumServiceDep,
) -> ModuleResponse:
    module = await service.update_module(user, module_id, title=body.title, position=body.position)
    return ModuleResponse.of(module)


@modules.delete(
    "/{module_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a module with its lessons (owner)",
)
async def delete_module(
    module_id: uuid.UUID, user: TeacherUser, service: CurriculumServiceDep
) -> None:
    await service.delete_module(user, module_id)


@modules.post(
    "/{module_id}/lessons",
    status_code=status.HTTP_201_CREATED,
    summary="Add a lesson (owner); appended unless a position is given",
)
async def add_lesson(
    module_id: uuid.UUID,
    body: LessonCreateRequest,
    user: TeacherUser,
    service: CurriculumServiceDep,
) -> LessonResponse:
    lesson = await service.add_lesson(
        user,
        module_id,
        title=body.title,
        content=body.content,
        duration_minutes=body.duration_minutes,
        position=body.position,
        is_preview=body.is_preview,
    )
    return LessonResponse.of(lesson)


@lessons.get(
    "/{lesson_id}",
    summary="A lesson with its content: free course or preview for all; a priced course's "
    "other lessons for its enrolled students (X-Entitlement), its teacher and admins",
    responses=error_responses(
        {
            401: "`missing_token`: a priced course's lesson, and no caller",
            403: "`entitlement_required` / `invalid_entitlement` / `entitlement_expired`",
        }
    ),
)
async def get_lesson(
    lesson_id: uuid.UUID,
    user: OptionalUser,
    service: CurriculumServiceDep,
    entitlement: EntitlementHeader = None,
) -> LessonResponse:
    return LessonResponse.of(await service.lesson(lesson_id, user, entitlement))


@lessons.patch("/{lesson_id}", summary="Change or move a lesson within its module (owner)")
async def update_lesson(
    lesson_id: uuid.UUID,
    body: LessonUpdateRequest,
    user: TeacherUser,
    service: CurriculumServiceDep,
) -> LessonResponse:
    lesson = await service.update_lesson(
        user,
        lesson_id,
        title=body.title,
        content=body.content,
        duration_minutes=body.duration_minutes,
        position=body.position,
        is_preview=body.is_preview,
    )
    return LessonResponse.of(lesson)


@lessons.delete(
    "/{lesson_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a lesson (owner)",
)
async def delete_lesson(
    lesson_id: uuid.UUID, user: TeacherUser, service: CurriculumServiceDep
) -> None:
    await service.delete_lesson(user, lesson_id)
