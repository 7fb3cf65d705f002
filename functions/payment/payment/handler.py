"""Lambda entry point of the payment function."""

from edu_common.api import lambda_handler
from payment.app import create_app

app = create_app()
handler = lambda_handler(app)
