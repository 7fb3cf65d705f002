"""Lambda entry point of the course function."""

from mangum import Mangum

from course.app import create_app

app = create_app()
handler = app.state.observability.instrument(Mangum(app, lifespan="off"))
