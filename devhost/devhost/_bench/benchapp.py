"""The benchmark's FastAPI app: served by uvicorn directly and, through Mangum, as a Lambda
handler by the host (``benchapp.handler``)."""

from __future__ import annotations

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI(title="devhost bench")


@app.get("/bench/ping")
def ping() -> dict[str, object]:
    return {"ok": True, "service": "bench"}


handler = Mangum(app, lifespan="off")
