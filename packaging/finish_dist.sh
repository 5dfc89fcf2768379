#!/bin/sh
# Put the desktop entry, AppStream metainfo and icon beside the frozen app and validate them.
# usage: sh packaging/finish_dist.sh dist/Denoscope
set -eu
app=$1
here=$(dirname "$0")
mkdir -p "$app/share/applications" "$app/share/metainfo" "$app/share/icons/hicolor/256x256/apps"
# The frozen app is started as `Denoscope` (put dist/Denoscope on PATH or link it).
sed -e 's/^Exec=denoscope-viewer %F/Exec=Denoscope %F/' -e 's/^TryExec=denoscope-viewer/TryExec=Denoscope/' \
    "$here/denoscope.desktop" > "$app/share/applications/denoscope.desktop"
cp "$here/denoscope.metainfo.xml" "$app/share/metainfo/io.github.denoscope.Denoscope.metainfo.xml"
cp "$here/denoscope.png" "$app/share/icons/hicolor/256x256/apps/denoscope.png"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$app/share/applications/denoscope.desktop"
else
    echo "finish_dist: desktop-file-validate not installed (Debian: desktop-file-utils); not checked"
fi
if command -v appstreamcli >/dev/null; then
    appstreamcli validate --no-net "$app/share/metainfo/io.github.denoscope.Denoscope.metainfo.xml"
else
    echo "finish_dist: appstreamcli not installed (Debian: appstream); not checked"
fi
