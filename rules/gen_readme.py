"""Regenerate the rule table in README.md from the rule YAML files.

Usage (from the repository root):  python rules/gen_readme.py
Only the block between the RULE-TABLE markers in README.md is rewritten.
"""
import pathlib
import re

import yaml

HERE = pathlib.Path(__file__).resolve().parent
BEGIN, END = "<!-- RULE-TABLE:BEGIN -->", "<!-- RULE-TABLE:END -->"
SEVERITY = {"ERROR": "ERROR (high)", "WARNING": "WARNING (medium)", "INFO": "INFO (low)"}


def build_table():
    rows = [
        "| Rule id | CWE | Severity | Confidence |",
        "|---|---|---|---|",
    ]
    for path in sorted(HERE.glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            rule = yaml.safe_load(fh)["rules"][0]
        meta = rule["metadata"]
        cwes = "<br>".join(c.replace("|", "\\|") for c in meta["cwe"])
        rows.append(
            f"| `{rule['id']}` | {cwes} | {SEVERITY[rule['severity']]} | {meta['confidence']} |"
        )
    return "\n".join(rows), len(rows) - 2


def main():
    readme = HERE / "README.md"
    table, count = build_table()
    text = readme.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{table}\n{END}"
    text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    text = re.sub(r"This pack contains \*\*\d+ rules\*\*", f"This pack contains **{count} rules**", text)
    readme.write_text(text, encoding="utf-8")
    print(f"{count} rules written to {readme}")


if __name__ == "__main__":
    main()
