"""Fill zh_Hans translations from a `msgid<TAB>msgstr` file: python scripts/po_fill.py FILE.

A maintainer's helper for `make messages`; the .po file stays the source of truth.
"""

import sys

import polib

PO = "locale/zh_Hans/LC_MESSAGES/django.po"


def main(*paths: str) -> None:
    pairs = {}
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if "\t" in line:
                    msgid, msgstr = line.rstrip("\n").split("\t", 1)
                    pairs[msgid.replace("\\n", "\n")] = msgstr.replace("\\n", "\n")
    po = polib.pofile(PO)
    filled = 0
    for entry in po:
        if entry.msgid_plural and (entry.msgid in pairs or entry.msgid_plural in pairs):
            # Chinese has one plural form
            entry.msgstr_plural = {0: pairs.get(entry.msgid) or pairs[entry.msgid_plural]}
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
        elif entry.msgid in pairs:
            entry.msgstr = pairs[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Language"] = "zh_Hans"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.save(PO)
    print(f"filled {filled}; untranslated left: {len(po.untranslated_entries())}")
    for entry in po.untranslated_entries():
        print(repr(entry.msgid))


if __name__ == "__main__":
    main(*sys.argv[1:])
