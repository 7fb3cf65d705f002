"""Lambda entry point of the course function."""

from course.app import create_app
from edu_common.api import lambda_handler

app = create_app()
handler = lambda_handler(app)
