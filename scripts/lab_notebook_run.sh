#!/usr/bin/env bash
# Executes examples/lab8.ipynb top to bottom on Deno's Jupyter kernel (from the `deno` devDependency) and fails
# on any cell error. Quick mode unless LAB_FULL=1. Needs jupyter-nbconvert and python3-ipykernel (Debian).
# Usage: scripts/lab_notebook_run.sh [output.ipynb]   (RNNLAB_DATA names the IMDb tarball, as everywhere)
# The executed notebook, with its outputs, is written to output.ipynb; without it no copy is kept.
set -euo pipefail
# Named from the caller's folder, before the cd below.
out=${1:+$(realpath -m "$1")}
cd "$(dirname "$0")/.."
node node_modules/typescript/bin/tsc -p tsconfig.examples.json
node scripts/lab_notebook.mjs --check
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A kernelspec of our own, so nothing is installed into the user's Jupyter folders.
deno_bin=$(node -e "const p=require('path'),os=require('os');const t='@deno/'+os.platform()+'-'+os.arch()+(os.platform()==='linux'?'-glibc':'');process.stdout.write(p.join(p.dirname(require.resolve(t+'/package.json')),'deno'))")
mkdir -p "$work/kernels/rnnlab-deno"
printf '{"argv": ["%s", "jupyter", "--kernel", "--conn", "{connection_file}"], "display_name": "Deno", "language": "typescript"}\n' "$deno_bin" > "$work/kernels/rnnlab-deno/kernel.json"
executed=${out:-$work/lab8.executed.ipynb}
[ "${LAB_FULL:-0}" = 1 ] || export RNNLAB_LAB_QUICK=1
JUPYTER_PATH="$work${JUPYTER_PATH:+:$JUPYTER_PATH}" jupyter nbconvert --to notebook --execute \
  --ExecutePreprocessor.kernel_name=rnnlab-deno --ExecutePreprocessor.timeout=3600 \
  --output "$(basename "$executed")" --output-dir "$(dirname "$executed")" examples/lab8.ipynb
if [ -n "$out" ]; then
  echo "lab notebook: every cell ran (executed notebook: $out)"
else
  echo "lab notebook: every cell ran (no copy kept: name an output.ipynb to keep the executed notebook)"
fi
