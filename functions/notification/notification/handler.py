"""Lambda entry point of the notification function."""

from mangum import Mangum

from notification.app import create_app

app = create_app()
handler = app.state.observability.instrument(Mangum(app, lifespan="off"))
