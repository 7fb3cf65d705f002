"""Lambda entry point of the enrollment function."""

from edu_common.api import lambda_handler
from enrollment.app import create_app

app = create_app()
handler = lambda_handler(app)
