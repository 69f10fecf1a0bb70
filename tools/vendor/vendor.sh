#!/usr/bin/env bash
# Refresh src/safetynet/web/static/vendor from the npm registry (run by `make vendor` only;
# nothing here runs at install or test time, and users never need node).
# npm installs into a temporary directory; the built files are committed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/src/safetynet/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cp "$HERE/package.json" "$HERE/app.scss" "$WORK/"
(cd "$WORK" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
NM="$WORK/node_modules"

# Dart Sass: one stylesheet with GOV.UK Frontend and MoJ Frontend, Arial, relative asset URLs.
(cd "$WORK" && npx --no-install sass --pkg-importer=node --load-path=. --style=compressed \
  --no-source-map --quiet app.scss frontend.min.css)
# No GOV.UK crest anywhere: the only rule using it is the GOV.UK footer's copyright logo.
sed -i 's#url("../assets/images/govuk-crest.svg")#none#g' "$WORK/frontend.min.css"

rm -rf "$OUT"
mkdir -p "$OUT"/{css,assets/images,govuk-frontend,moj-frontend,htmx,cytoscape,axe-core}
cp "$WORK/frontend.min.css" "$OUT/css/"
# Only the images the stylesheet refers to (MoJ icons); no GOV.UK fonts, crest or favicons.
for img in $(grep -o 'assets/images/[A-Za-z0-9._-]*' "$OUT/css/frontend.min.css" | sort -u); do
  cp "$NM/@ministryofjustice/frontend/moj/$img" "$OUT/assets/images/" 2>/dev/null \
    || cp "$NM/govuk-frontend/dist/govuk/$img" "$OUT/assets/images/"
done
# ES modules, loaded from static files by web/static/web/js/app.mjs (no inline script).
cp "$NM/govuk-frontend/dist/govuk/govuk-frontend.min.js" "$OUT/govuk-frontend/govuk-frontend.min.mjs"
cp "$NM/@ministryofjustice/frontend/moj/moj-frontend.min.js" "$OUT/moj-frontend/moj-frontend.min.mjs"
cp "$NM/htmx.org/dist/htmx.esm.js" "$OUT/htmx/htmx.esm.mjs"
cp "$NM/cytoscape/dist/cytoscape.esm.min.mjs" "$OUT/cytoscape/cytoscape.esm.min.mjs"
cp "$NM/axe-core/axe.min.js" "$OUT/axe-core/axe.min.js"
# The source maps are not vendored, so drop the comments that point at them.
sed -i '/^\/\/# sourceMappingURL=/d; s#//\# sourceMappingURL=[^ ]*$##' "$OUT"/*/*.mjs

cp "$HERE/LICENCE-govuk-frontend.txt" "$OUT/govuk-frontend/LICENCE.txt"
cp "$HERE/LICENCE-govuk-frontend.txt" "$OUT/css/LICENCE-govuk-frontend.txt"
cp "$HERE/LICENCE-moj-frontend.txt" "$OUT/moj-frontend/LICENCE.txt"
cp "$HERE/LICENCE-moj-frontend.txt" "$OUT/css/LICENCE-moj-frontend.txt"
cp "$NM/htmx.org/LICENSE" "$OUT/htmx/LICENCE.txt"
cp "$NM/cytoscape/LICENSE" "$OUT/cytoscape/LICENCE.txt"
cp "$NM/axe-core/LICENSE" "$OUT/axe-core/LICENCE.txt"

{
  echo "Vendored front-end packages (refresh with \`make vendor\`; pins in tools/vendor/package.json)."
  echo "Built $(date -u +%Y-%m-%d) with node $(node --version)."
  for p in govuk-frontend @ministryofjustice/frontend htmx.org cytoscape axe-core sass; do
    v=$(node -p "require('$NM/$p/package.json').version")
    l=$(node -p "require('$NM/$p/package.json').license")
    echo "$p $v ($l)"
  done
  echo "css/frontend.min.css: govuk-frontend + MoJ frontend compiled by sass from tools/vendor/app.scss"
  echo "  (Arial, relative asset URLs, no GDS Transport, GOV.UK crest removed)."
  echo "axe-core is used by the browser tests only; base.html never loads it."
} > "$OUT/VERSIONS"
echo "vendored into $OUT:"
find "$OUT" -type f | sed "s#$OUT/#  #" | sort
