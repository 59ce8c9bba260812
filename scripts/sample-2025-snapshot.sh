#!/usr/bin/env bash
# Regenerates editions/2025.json, the sample review's previous edition, from today's
# sample content: the review as it would have stood in 2025.
#
# Run it from anywhere after the sample content changes:  scripts/sample-2025-snapshot.sh
#
# It copies site.toml, content/ and themes/ to a temporary folder, and there:
#   1. sets `edition = 2025` in site.toml, drops its [editions] table (a 2025 build has
#      no previous edition to compare with) and the `date` of [publication] (today's is
#      the 2026 edition's; without it the edition's year is the date);
#   2. drops every case study marked `edition: 2026` (or later), except those a kept case
#      study names in `adapted_from` (they must have existed already);
#   3. drops every finding whose source was published in 2025 or later (the year of the
#      source's `date` in content/references.yaml), and those keys from `sources:` lists;
#   4. drops the claims no remaining finding speaks to (they were written for what came
#      later);
#   5. turns Markdown links to dropped case studies and claims into plain text (bodies are
#      not part of a snapshot, but the 2025 build must have no broken link);
# then runs `tessera snapshot --force` there and copies the result to editions/2025.json.
# Nothing else is changed, so the snapshot holds nothing that is not in today's content.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp "$repo/site.toml" "$work/"
cp -r "$repo/content" "$repo/themes" "$work/"

python3 - "$work" <<'PY'
import pathlib, re, sys

root = pathlib.Path(sys.argv[1])
CUTOFF = 2025  # findings from sources published in this year or later are left out

# 1. site.toml: the 2025 edition, without [editions].
site = (root / "site.toml").read_text()
site = re.sub(r"(?m)^edition\s*=.*$", "edition = 2025", site)
site = re.sub(r"(?ms)^\[editions\]\n.*?(?=^\[|\Z)", "", site)
site = re.sub(r"(?ms)(^\[publication\]\n(?:(?!^\[).)*?)^date\s*=.*?\n", r"\1", site)
(root / "site.toml").write_text(site)

# Years of the bibliography's entries (Hayagriva YAML: `key:` at column 0, `  date: YYYY...`).
years, key = {}, None
for line in (root / "content/references.yaml").read_text().splitlines():
    m = re.match(r"^([A-Za-z0-9_.:-]+):\s*$", line)
    if m:
        key = m.group(1)
        continue
    m = re.match(r"^\s+date:\s*\"?(\d{4})", line)
    if m and key:
        years[key] = int(m.group(1))
late = {k for k, y in years.items() if y >= CUTOFF}

def split(text):
    _, front, body = text.split("---\n", 2)
    return front, body

case_dir = root / "content/case-studies"
cases = {p.stem: p for p in case_dir.glob("*.md")}
fronts = {slug: split(p.read_text())[0] for slug, p in cases.items()}

def field(front, name):
    m = re.search(rf"(?m)^{name}:\s*(\S+)\s*$", front)
    return m.group(1) if m else None

dropped = {s for s, f in fronts.items() if (field(f, "edition") or "0").isdigit() and int(field(f, "edition") or 0) > 2025}
kept_refs = {field(f, "adapted_from") for s, f in fronts.items() if s not in dropped}
dropped -= kept_refs
for slug in sorted(dropped):
    cases[slug].unlink()
    print(f"left out case study {slug}")

# 3. Findings from late sources, and late keys in `sources: [...]`.
for slug, path in cases.items():
    if slug in dropped:
        continue
    front, body = split(path.read_text())
    lines = front.splitlines(keepends=True)
    out, block = [], []
    def flush():
        text = "".join(block)
        m = re.search(r"(?m)^\s+source:\s*(\S+)", text)
        if m and m.group(1) in late:
            print(f"left out a finding of {slug} from {m.group(1)}")
        else:
            out.extend(block)
        block.clear()
    in_findings = False
    for line in lines:
        if re.match(r"^findings:", line):
            in_findings = True
            out.append(line)
            continue
        if in_findings and re.match(r"^\s+- ", line):
            flush()
            block.append(line)
            continue
        if in_findings and re.match(r"^\S", line):
            flush()
            in_findings = False
        (block if in_findings and block else out).append(line)
    flush()
    front = "".join(out)
    def strip_sources(m):
        keys = [k.strip() for k in m.group(1).split(",") if k.strip() and k.strip() not in late]
        return f"sources: [{', '.join(keys)}]"
    front = re.sub(r"(?m)^sources:\s*\[(.*)\]\s*$", strip_sources, front)
    path.write_text(f"---\n{front}---\n{body}")

# 4. Claims that no remaining finding speaks to.
used = set()
for slug, path in cases.items():
    if slug not in dropped:
        used |= set(re.findall(r"(?m)^\s+- claim:\s*(\S+)", path.read_text()))
dropped_claims = set()
for path in (root / "content/claims").glob("*.md"):
    if path.stem not in used:
        path.unlink()
        dropped_claims.add(path.stem)
        print(f"left out claim {path.stem}")

# 5. Links to dropped case studies and claims become plain text.
gone = [("case-studies", s) for s in dropped] + [("claims", s) for s in dropped_claims]
for md in (root / "content").rglob("*.md"):
    text = md.read_text()
    for folder, slug in gone:
        text = re.sub(
            rf"\[([^\]]*)\]\((?:\.\.?/)*(?:{folder}/)?{re.escape(slug)}\.md(?:#[^)]*)?\)",
            r"\1",
            text,
        )
    md.write_text(text)
PY

cd "$repo"
cargo run --quiet -- snapshot --root "$work" --force
mkdir -p "$repo/editions"
cp "$work/editions/2025.json" "$repo/editions/2025.json"
echo "Wrote editions/2025.json"
