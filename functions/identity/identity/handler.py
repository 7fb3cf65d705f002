"""Lambda entry point of the identity function."""

from edu_common.api import lambda_handler
from identity.app import create_app

app = create_app()
handler = lambda_handler(app)
