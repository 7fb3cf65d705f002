"""Lambda entry point of the notification function."""

from edu_common.api import lambda_handler
from notification.app import create_app

app = create_app()
handler = lambda_handler(app)
