"""A terminal progress bar (rich) fed by a :class:`~resolvers.progress.tracker.Tracker`: pass one
as an observer of ``track`` in a CLI command (``crmgraph seed`` shows the demo seeding with it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from resolvers.progress.tracker import Tracker


class ConsoleBar:
    """Renders the tracker's name, bar, count, elapsed time and current message; stops (leaving the
    final line) when the job finishes. One bar per tracked job."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console
        self.progress: Progress | None = None
        self.task: Any = None

    def __call__(self, tracker: Tracker) -> None:
        if self.progress is None:
            self.progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[message]}"),
                console=self.console,
            )
            self.progress.start()
            self.task = self.progress.add_task(tracker.name, total=tracker.total, message="")
        label = tracker.message or ""
        if tracker.finished:
            label = tracker.status if tracker.status != "completed" else "done"
        self.progress.update(self.task, completed=tracker.processed, total=tracker.total, message=label)
        if tracker.finished:
            self.progress.stop()


@dataclass
class Snapshot:
    """What a :class:`ConsoleBar` reads, for work reporting through start/advance/finish hooks
    rather than a :class:`Tracker`."""

    name: str
    total: int | None = None
    processed: int = 0
    message: str | None = None
    status: str = "running"

    @property
    def finished(self) -> bool:
        return self.status != "running"


class ConsoleHook:
    """A console bar as a progress hook (``start(total)``, ``advance(processed, total)``,
    ``finish(status)``), the interface search index jobs report through."""

    def __init__(self, name: str, console: Console | None = None) -> None:
        self.state = Snapshot(name)
        self.bar = ConsoleBar(console)

    async def start(self, total: int) -> None:
        self.state.total = total
        self.bar(self.state)

    async def advance(self, processed: int, total: int) -> None:
        self.state.processed, self.state.total = processed, total
        self.bar(self.state)

    async def finish(self, status: str) -> None:
        self.state.status = "completed" if status == "done" else status
        self.bar(self.state)
