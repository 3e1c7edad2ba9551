"""Rich progress bars for the conversion stages (unpack, disk image, AOT, snapshot), on stderr."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

LABELS = {"unpack": "unpack layers", "disk": "disk image", "snapshot": "pre-boot snapshot",
          "aot-profile": "AOT training run", "aot-build": "AOT engine build"}


class RichProgress:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.progress = Progress(TextColumn("{task.description:<18}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False,
                                 disable=not enabled)
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.progress.stop()

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(LABELS.get(stage, stage), total=max(total, 1))
        self.progress.update(self.tasks[stage], completed=done, total=max(total, 1))
