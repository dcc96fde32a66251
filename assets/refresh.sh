#!/usr/bin/env bash
# Refreshes the vendored NHS design system in assets/vendor/nhsuk-frontend from the versions
# pinned in assets/package.json (change the pins there, then run this and commit the result).
# Needs Node.js and npm; the service itself needs neither.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json nhsuk.scss "$work/"
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts --silent)
pkg="$work/node_modules/nhsuk-frontend"
out=vendor/nhsuk-frontend
rm -rf "$out" && mkdir -p "$out/images"
(cd "$work" && npx --no-install sass --load-path=node_modules --style=compressed --no-source-map \
    --quiet-deps nhsuk.scss nhsuk-frontend.css)
cp "$work/nhsuk-frontend.css" "$out/"
cp "$pkg/dist/nhsuk/nhsuk-frontend.min.js" "$out/"
# Only the images the compiled CSS and our layout refer to.
for img in $(grep -o '/assets/images/[a-z0-9.-]*' "$out/nhsuk-frontend.css" | sort -u | xargs -n1 basename) \
        favicon.ico favicon.svg nhsuk-icon-180.png; do
    cp "$pkg/dist/nhsuk/assets/images/$img" "$out/images/"
done
sed -i "s|//# sourceMappingURL=.*$||" "$out/nhsuk-frontend.min.js"
node -e 'console.log(require(process.argv[1]).version)' "$pkg/package.json" > "$out/VERSION"
# The package ships no licence file; its package.json says MIT, and this is the repository's.
cat > "$out/LICENSE" <<'LICENCE'
MIT License

Copyright (c) 2019 NHS.UK

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENCE
echo "vendored nhsuk-frontend $(cat "$out/VERSION") into assets/$out"
