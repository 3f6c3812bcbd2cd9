# Sourced by the start and test scripts: makes `pnpm` available without corepack or a global install.
# The pinned version comes from package.json's "packageManager"; it is installed once under .tools/.
pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  if [ ! -x ".tools/node_modules/.bin/pnpm" ] || [ "$(.tools/node_modules/.bin/pnpm --version)" != "$pnpm_version" ]; then
    echo "threadline: installing pnpm $pnpm_version into .tools/ (one time)"
    npm install --silent --no-audit --no-fund --prefix .tools "pnpm@$pnpm_version" >/dev/null
  fi
  export PATH="$PWD/.tools/node_modules/.bin:$PATH"
fi
export TURBO_TELEMETRY_DISABLED=1
