"""Lambda entry point of the enrollment function."""

from mangum import Mangum

from enrollment.app import create_app

app = create_app()
handler = app.state.observability.instrument(Mangum(app, lifespan="off"))
