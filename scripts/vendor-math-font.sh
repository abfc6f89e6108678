#!/bin/sh
# Re-fetch the vendored math font (Noto Sans Math, SIL OFL 1.1) from its pinned npm package into
# static/fonts/noto-sans-math/. The files are committed, so neither CI nor a deploy needs npm; run this
# only to check the committed copy or to move to a new pinned version (then update the README there).
set -eu

PACKAGE="@fontsource/noto-sans-math"
VERSION="5.3.0"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/static/fonts/noto-sans-math"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "$PACKAGE@$VERSION" >/dev/null
tar -xzf fontsource-noto-sans-math-"$VERSION".tgz
mkdir -p "$DEST"
cp package/files/noto-sans-math-latin-400-normal.woff2 "$DEST/NotoSansMath-Regular.woff2"
cp package/LICENSE "$DEST/OFL.txt"
echo "Copied $PACKAGE@$VERSION into $DEST"
