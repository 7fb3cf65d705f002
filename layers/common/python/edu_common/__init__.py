"""The shared Lambda layer of EduPlatform Serverless.

One place for each cross-cutting concern: settings, JWT and passwords, the per-environment
asyncpg pool and migrations, the error shape, and observability. Functions import from here
and never re-implement any of it.
"""
