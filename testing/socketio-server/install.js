"use strict";
// Installs this project's pinned dependencies with `npm ci`, unless node_modules already holds
// exactly what package.json and package-lock.json describe. Run by the Maven build of module
// testing (generate-resources). Skipping an up-to-date install matters: `npm ci` first deletes
// node_modules, which would pull the server out from under tests that are running it.

const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const dir = __dirname;
const stamp = path.join(dir, "node_modules", ".quarry-install-stamp");
const hash = crypto.createHash("sha256");
for (const file of ["package.json", "package-lock.json"]) hash.update(fs.readFileSync(path.join(dir, file)));
const digest = hash.digest("hex");

if (fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === digest) {
  console.log("socketio-server: node_modules is up to date");
  process.exit(0);
}

const result = spawnSync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], {
  cwd: dir,
  stdio: "inherit",
  shell: process.platform === "win32",
});
if (result.error) {
  console.error(`socketio-server: cannot run npm: ${result.error.message}`);
  process.exit(1);
}
if (result.status !== 0) {
  console.error(`socketio-server: npm ci failed with exit code ${result.status}`);
  process.exit(result.status ?? 1);
}
fs.writeFileSync(stamp, digest);
