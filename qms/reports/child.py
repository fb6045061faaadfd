"""A PDF rendering process: `python -m qms.reports.child FD` serves jobs on socket FD.

Started and stopped by qms.reports.pdf; it renders one record at a time until the server
closes the socket, or kills it when a render runs past the time limit.
"""

from __future__ import annotations

import sys
from multiprocessing.connection import Connection


def main() -> None:
    import weasyprint  # noqa: F401  (loaded before the first job, not during it)

    from qms.reports import pdf

    pdf.serve(Connection(int(sys.argv[1])))


if __name__ == "__main__":
    main()
