"""Lambda entry point of the identity function."""

from mangum import Mangum

from identity.app import create_app

app = create_app()
handler = app.state.observability.instrument(Mangum(app, lifespan="off"))
