"""List the strings that have no Vietnamese translation, as .po entries to fill in.

Usage: python scripts/messages.py [--append DOMAIN]   (appends them, untranslated, to
qms/locales/vi/LC_MESSAGES/DOMAIN.po for a translator to complete)
"""

from __future__ import annotations

import sys

from qms.i18n import LOCALES_DIR, untranslated


def po_entry(msgid: str, places: list[str]) -> str:
    escaped = msgid.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    refs = "\n".join(f"#: {p}" for p in places[:3])
    return f'{refs}\nmsgid "{escaped}"\nmsgstr ""\n'


def main() -> int:
    missing = untranslated("vi")
    entries = "\n".join(po_entry(m, p) for m, p in sorted(missing.items()))
    if len(sys.argv) == 3 and sys.argv[1] == "--append":
        target = LOCALES_DIR / "vi" / "LC_MESSAGES" / f"{sys.argv[2]}.po"
        with target.open("a", encoding="utf-8") as fh:
            fh.write("\n" + entries)
        print(f"{len(missing)} entries appended to {target}")
        return 0
    print(entries)
    print(f"# {len(missing)} strings without a Vietnamese translation", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
