#!/usr/bin/env bash
# Evaluate the shipped models (and the previous version, models/v1/) on the held-out test
# splits and regenerate models/<m>_eval*.md/.csv/.png, the bar checks in the cards, and the
# results tables of models/README.md and README.md.
#
#   make models-eval            (all three modalities, one after the other)
#   bash packaging/evaluate_models.sh ct     (one modality)
#
# Needs the corpora (denoscope corpus build) and BM3D (pip install '.[bench]'). Baseline
# results are cached in $C/baseline-cache (keyed by image and noise hashes), so the previous
# version's evaluation reuses the BM3D runs of the current one.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
C=${DENOSCOPE_HOME:-$HOME/.cache/denoscope}
CACHE=$C/baseline-cache
B=median,gaussian,tv,nlmeans,bm3d
mkdir -p "$CACHE"
# The previous version is the newest archived one (models/v1, models/v2, ...).
PREV=$(cd models && ls -d v[0-9]*/ | sort -V | tail -n 1)
PREV=${PREV%/}

settings() {
  case $1 in
    mri) echo "gaussian:0.1 rician:0.02 rician:0.05 rician:0.1 gaussian:0.005 rician:0.005" ;;
    ct) echo "gaussian:0.1 lowdose-ct:0.1 lowdose-ct:0.25 lowdose-ct:0.5 gaussian:0.005 lowdose-ct:1.0" ;;
    xray) echo "gaussian:0.1 xray:300 xray:1000 xray:10000 gaussian:0.005 xray:100000" ;;
  esac
}
limit() { if [ "$1" = xray ]; then echo 12; else echo 10; fi; }

evaluate_one() {
  local m=$1 noise=()
  for s in $(settings "$m"); do noise+=(--noise "$s"); done
  for version in current "$PREV"; do
    local model=models/$m.safetensors out=models/${m}
    if [ "$version" = "$PREV" ]; then model=models/$PREV/$m.safetensors; out=models/$PREV/${m}; fi
    "$PY" -m denoscope evaluate --model "$model" --data "$C/corpora/$m" --limit "$(limit "$m")" \
      --crop 256 "${noise[@]}" --baselines $B --baseline-cache "$CACHE" --update-card test \
      --md "${out}_eval.md" --csv "${out}_eval.csv" --plot "${out}_eval_per_image.png"
    "$PY" -m denoscope evaluate --model "$model" --data "$C/corpora/$m" --limit 10 \
      --report1-protocol --baselines nlmeans,bm3d --baseline-cache "$CACHE" \
      --update-card report1_protocol --md "${out}_eval_report1.md"
  done
  if [ "$m" = ct ]; then
    # Faint findings in brain tissue of the held-out head CT (pydicom-data eCT, 2 slices of
    # 512 px, whole slices): discs of radius 3-6 px at 0.35x and 1x the local noise SD,
    # 25 % dose, 20 discs per slice.
    local head=$C/heldout-head-ct
    mkdir -p "$head"
    ln -sf "$("$PY" -c "from pydicom.data import get_testdata_file as g; print(g('eCT_Supplemental.dcm'))")" "$head/eCT_Supplemental.dcm"
    for k in 0.35 1; do
      for version in current "$PREV"; do
        local model=models/ct.safetensors out=models/ct
        if [ "$version" = "$PREV" ]; then model=models/$PREV/ct.safetensors; out=models/$PREV/ct; fi
        "$PY" -m denoscope evaluate --model "$model" --data "$head" --noise lowdose-ct:0.25 \
          --baselines bm3d --baseline-cache "$CACHE" --no-lpips --lesions 20 \
          --lesion-radius 3,6 --lesion-contrast "$k,$k" \
          --json "${out}_lesions_${k}.json" --md "${out}_lesions_${k}.md"
      done
      # the strength control's trade: a lower noise level given keeps more faint contrast
      "$PY" -m denoscope evaluate --model models/ct.safetensors --data "$head" \
        --noise lowdose-ct:0.25 --baselines bm3d --baseline-cache "$CACHE" --no-lpips \
        --lesions 20 --lesion-radius 3,6 --lesion-contrast "$k,$k" --strength 0.7 \
        --json "models/ct_lesions_${k}_strength0.7.json" --md "models/ct_lesions_${k}_strength0.7.md"
    done
  fi
}

modalities=("$@")
[ ${#modalities[@]} -eq 0 ] && modalities=(mri ct xray)
for m in "${modalities[@]}"; do
  evaluate_one "$m"
done
"$PY" packaging/model_tables.py
