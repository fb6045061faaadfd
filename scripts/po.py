"""Write or merge a Vietnamese catalog from a Python dict {msgid: msgstr} (a translator's aid).

Usage: python scripts/po.py DOMAIN translations.py   (the file defines T = {...})
Existing entries of qms/locales/vi/LC_MESSAGES/DOMAIN.po are kept unless T redefines them.
"""

from __future__ import annotations

import runpy
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from qms.i18n import LOCALES_DIR


def main() -> int:
    domain, source = sys.argv[1], sys.argv[2]
    table: dict[str, str] = runpy.run_path(source)["T"]
    target = LOCALES_DIR / "vi" / "LC_MESSAGES" / f"{domain}.po"
    if target.exists():
        with target.open("rb") as fh:
            catalog = read_po(fh, locale="vi")
    else:
        catalog = Catalog(locale="vi", project="QMS Tracker", domain=domain)
    for msgid, msgstr in table.items():
        catalog.add(msgid, msgstr, flags=("python-format",) if "%(" in msgid else ())
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:
        write_po(fh, catalog, width=0, sort_output=True, omit_header=False)
    print(f"{target}: {len(catalog)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
