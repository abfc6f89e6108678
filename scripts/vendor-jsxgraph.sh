#!/bin/sh
# Re-fetch the vendored JSXGraph (dual-licensed LGPL-3.0-or-later / MIT) from its pinned npm package into
# static/vendor/jsxgraph/. The files are committed, so neither CI nor a deploy needs npm; run this only to
# check the committed copy or to move to a new pinned version (then update VERSION there and the sha below).
set -eu

VERSION="1.13.3"
SHA256="7efccf3e700d07c47332d076bc81590f6a5a965bdc3e0b46b9e7fc242de328bd"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/static/vendor/jsxgraph"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "jsxgraph@$VERSION" >/dev/null
echo "$SHA256  jsxgraph-$VERSION.tgz" | sha256sum -c -
tar -xzf "jsxgraph-$VERSION.tgz"
mkdir -p "$DEST"
# The built file without its trailing source-map comment: the map is not shipped.
sed '/^\/\/# sourceMappingURL=/d' package/distrib/jsxgraphcore.js >"$DEST/jsxgraphcore.js"
cp package/distrib/jsxgraph.css "$DEST/jsxgraph.css"
cp package/distrib/jsxgraphcore.js.LICENSE.txt "$DEST/jsxgraphcore.js.LICENSE.txt"
cp package/LICENSE.MIT "$DEST/LICENSE.MIT"
cp package/LICENSE.LGPL "$DEST/LICENSE.LGPL"
printf 'jsxgraph %s (npm)\nsha256 of jsxgraph-%s.tgz: %s\nFiles: distrib/jsxgraphcore.js (source-map comment removed), distrib/jsxgraph.css, licences.\nReproduce: scripts/vendor-jsxgraph.sh\n' \
  "$VERSION" "$VERSION" "$SHA256" >"$DEST/VERSION"
echo "Copied jsxgraph@$VERSION into $DEST"
