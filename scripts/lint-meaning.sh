#!/usr/bin/env bash
# No production code decides anything by matching the text of a finding, note, message or error (issue #14,
# AC-1): outcomes, rejections, events and errors are enums, and text is rendered from them at the edge.
# This flags the shapes such a decision takes. A line that parses a file format handoffd itself writes may
# say so with a trailing `// format: <which>` comment; nothing else is exempt.
set -euo pipefail
cd "$(dirname "$0")/.."
receivers='(note|notes|message|messages|description|reason|stderr|stdout|localizedDescription|event|action)'
pattern="\\.${receivers}\\??\\.(contains|hasPrefix|hasSuffix|starts|range)\\(|[^.a-zA-Z]${receivers}\\.(contains|hasPrefix|hasSuffix)\\(\"|hasPrefix\\(\"rejected|== \"(tampering|rejected)\"|\\.event == \"|\\.contains\\([a-zA-Z_.]*\\.${receivers}\\)"
if hits=$(grep -rnE "$pattern" Sources --include='*.swift' | grep -v '// format: '); then
  echo "error: production code decides by matching text; switch over the case instead:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "lint-meaning: no decision matches on text"
