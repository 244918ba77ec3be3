#!/usr/bin/env bash
# Install the TeX Live (Debian) that benchmarks/typeset/build.py compiles its corpus with.
# Idempotent: does nothing when pdflatex and every probe file below are already present.
#
# Why texlive-fonts-extra (about 510 MB download, 1.4 GB installed): on Debian it is the only
# package that ships newtx, newpx, fourier, kpfonts, libertine, stix2, eulervm and the fonts
# acmart loads (libertine, newtxmath, inconsolata/zi4). mathptmx, mathpazo and amsart come
# with texlive-latex-base; lmodern.sty is in `lmodern`, which texlive-base only recommends;
# newtx (so acmart and libertine+newtxmath too) \inputs binhex.tex from texlive-plain-generic.
# --no-install-recommends skips the ~60 system font packages texlive-fonts-extra recommends.
# texlive-xetex and texlive-luatex (about 20 MB installed, fontspec and unicode-math with them)
# set the unicode grids of benchmarks/typeset: OpenType math fonts (Latin Modern Math, STIX
# Two, XITS, Libertinus, Fira Math, Garamond-Math, New CM) come with texlive-fonts-extra and lmodern.
#
# Measured on Debian 12 (bookworm), 2 cores: see benchmarks/typeset/README.md.
set -euo pipefail

PACKAGES=(
  texlive-latex-base
  texlive-latex-recommended
  texlive-latex-extra
  texlive-fonts-recommended
  texlive-fonts-extra
  texlive-science
  texlive-publishers
  lmodern
  texlive-plain-generic
  texlive-xetex
  texlive-luatex
)
# One file per font setup / class the corpus uses: pdflatex alone does not prove they exist.
PROBES=(newtxmath.sty newpxmath.sty fourier.sty kpfonts.sty libertine.sty stix2.sty
  eulervm.sty mathptmx.sty lmodern.sty acmart.cls revtex4-2.cls IEEEtran.cls elsarticle.cls
  llncs.cls amsart.cls binhex.tex unicode-math.sty fontspec.sty latinmodern-math.otf
  STIXTwoMath-Regular.otf)

have_all() {
  local c
  for c in pdflatex xelatex lualatex kpsewhich; do
    command -v "$c" >/dev/null 2>&1 || return 1
  done
  local f
  for f in "${PROBES[@]}"; do
    [ -n "$(kpsewhich "$f")" ] || return 1
  done
}

if have_all; then
  echo "TeX already installed: $(pdflatex --version | head -n 1)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
start=$(date +%s)
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
echo "TeX installed in $(($(date +%s) - start)) s: $(pdflatex --version | head -n 1)"
have_all || { echo "some probe files are still missing: ${PROBES[*]}" >&2; exit 1; }
