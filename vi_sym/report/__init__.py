"""Reports, all made from StepResults: the terminal report (:mod:`.terminal`), JSON
(:mod:`.json`), JUnit XML (:mod:`.junit`) and the proof-regression baseline
(:mod:`.baseline`)."""
from __future__ import annotations

from .json import JSON_SCHEMA, to_json, write_json
from .terminal import (COLOURS, EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, ORDER, exit_code,
                       is_terminal, print_errors, print_report, step_lines, summary, use_colour)

__all__ = ["JSON_SCHEMA", "to_json", "write_json", "COLOURS", "EXIT_FAILED", "EXIT_INPUT",
           "EXIT_INTERRUPTED", "EXIT_OK", "ORDER", "exit_code", "is_terminal", "print_errors",
           "print_report", "step_lines", "summary", "use_colour"]
