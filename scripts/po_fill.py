"""Fill zh_Hans translations: ``python scripts/po_fill.py translations.json``.

Sets ``msgstr`` (a plural entry's ``msgstr[0]``, keyed by its singular msgid) for the given msgids in locale/zh_Hans/LC_MESSAGES/django.po and drops
their fuzzy marks (a maintenance helper for `makemessages`; run compilemessages after).
"""

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line[line.index('"') :]) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main(path: str) -> None:
    wanted: dict[str, str] = json.loads(Path(path).read_text(encoding="utf-8"))
    entries = PO.read_text(encoding="utf-8").split("\n\n")
    done = set()
    for index, entry in enumerate(entries):
        lines = entry.split("\n")
        try:
            start = next(i for i, line in enumerate(lines) if line.startswith("msgid "))
            plural = next(
                (i for i, line in enumerate(lines) if line.startswith("msgid_plural")), None
            )
            stop = next(i for i, line in enumerate(lines) if line.startswith("msgstr"))
        except StopIteration:
            continue
        msgid = _unquote(lines[start : plural or stop])
        if msgid not in wanted:
            continue
        head = [line for line in lines[:start] if not line.startswith("#| ") and line != "#, fuzzy"]
        head = [re.sub(r"^#, fuzzy, ", "#, ", line) for line in head]
        # Chinese has one plural form: a plural entry's msgstr[0] is the translation.
        msgstr = "msgstr[0]" if plural is not None else "msgstr"
        entries[index] = "\n".join([*head, *lines[start:stop], f"{msgstr} {_quote(wanted[msgid])}"])
        done.add(msgid)
    PO.write_text("\n\n".join(entries), encoding="utf-8")
    missing = set(wanted) - done
    if missing:
        print("not in the .po:", *sorted(missing), sep="\n  ")


if __name__ == "__main__":
    main(sys.argv[1])
