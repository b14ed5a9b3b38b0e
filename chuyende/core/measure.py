"""What the benchmarks measure besides time: peak memory and the number of SQL statements."""

import resource
from pathlib import Path
from typing import Any


class PeakMemory:
    """The peak resident memory of this process from now on: /proc/self/status's VmHWM after its
    peak is reset (writing 5 to /proc/self/clear_refs), else getrusage's maximum since the start."""

    def __init__(self) -> None:
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.source = "VmHWM"
        except OSError:
            self.source = "ru_maxrss since the process started"

    def read(self) -> int:
        if self.source == "VmHWM":
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class QueryCounter:
    """Counts the SQL statements run (connection.execute_wrapper), without keeping them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)
