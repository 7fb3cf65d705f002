"""Lambda entry point of the payment function."""

from mangum import Mangum

from payment.app import create_app

app = create_app()
handler = app.state.observability.instrument(Mangum(app, lifespan="off"))
