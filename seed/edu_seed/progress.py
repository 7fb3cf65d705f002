"""A progress bar per table (rich), and the closing table of rows per second."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table as RichTable

from edu_seed.loader import Loaded, LoadReport, Table


class RichProgress:
    """The loader's progress callbacks drawn as one rich bar per table."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.bars = Progress(
            TextColumn("[bold]{task.fields[service]:<12}[/] {task.description:<16}"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )

    def __enter__(self) -> RichProgress:
        self.bars.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.__exit__(*exc)  # type: ignore[arg-type]

    def start(self, table: Table) -> Any:
        return self.bars.add_task(
            table.name, total=max(table.expected, 1), service=table.service, rate=""
        )

    def advance(self, handle: Any, rows: int) -> None:
        self.bars.advance(handle, rows)

    def finish(self, handle: Any, loaded: Loaded) -> None:
        self.bars.update(
            handle,
            total=max(loaded.rows, 1),
            completed=max(loaded.rows, 1),
            rate=f"{loaded.rows_per_second:,.0f} rows/s",
        )


def report_table(report: LoadReport, *, generate_seconds: float = 0.0) -> RichTable:
    table = RichTable(title=f"seeded {report.rows:,} rows")
    for column in ("database", "table", "rows", "seconds", "rows/s"):
        table.add_column(
            column, justify="right" if column in ("rows", "seconds", "rows/s") else "left"
        )
    for loaded in report.tables:
        table.add_row(
            loaded.service,
            loaded.table,
            f"{loaded.rows:,}",
            f"{loaded.seconds:.1f}",
            f"{loaded.rows_per_second:,.0f}",
        )
    table.add_row("", "[bold]total[/]", f"{report.rows:,}", f"{report.seconds:.1f}",
                  f"{report.rows / report.seconds if report.seconds else 0:,.0f}")  # fmt: skip
    return table
