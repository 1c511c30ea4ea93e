// Leanode prune (spec.app.prune: safe), run in the deps stage after the production install:
//   node prune.cjs NODE_MODULES [KEEP_GLOB...]
// Removes what no running app loads: docs, READMEs, changelogs, type declarations, source maps,
// the test/example/docs folders at a package's root, TypeScript sources next to their compiled
// JS. Keeps every licence file, each package.json, .node binaries, the files a package.json names
// as bin or main, and whatever a KEEP_GLOB matches (relative to node_modules, or to any nested
// node_modules, so pnpm's .pnpm store is covered). Never follows a symlink.
// Written into the image with printf, one single-quoted line each: no line may hold a single quote.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(process.argv[2] || "node_modules");
const keepGlobs = process.argv.slice(3).map(globToRegExp);

const ALWAYS_KEEP = /^(licen[cs]e|notice|copying|copyright|patents|authors|package\.json)([._-].*)?$/i;
const DOC_FILE = /^(readme|changelog|changes|history|contributing|code_of_conduct|security|upgrading|migrating|funding)(\.(md|markdown|txt|rst|adoc))?$/i;
const DROP_EXT = /(\.d\.[cm]?ts|\.d\.[cm]?ts\.map|\.(js|mjs|cjs|jsx|ts|mts|cts|tsx|css)\.map|\.md|\.markdown|\.tsbuildinfo)$/i;
const DROP_DOTFILE = /^\.(npmignore|eslintrc.*|eslintignore|prettierrc.*|prettierignore|editorconfig|travis\.yml|gitattributes|jshintrc|nycrc.*)$/i;
const DROP_DIR = new Set(["test", "tests", "__tests__", "__mocks__", "example", "examples", "docs", "doc", ".github", "coverage"]);
const TS_SOURCE = [[/\.tsx?$/, [".js", ".jsx"]], [/\.mts$/, [".mjs"]], [/\.cts$/, [".cjs"]]];

const keepPaths = new Set();
let files = 0;
let bytes = 0;

function globToRegExp(glob) {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") {
      re += "[^/]*";
    } else if (c === "?") {
      re += "[^/]";
    } else {
      // validated globs hold only letters, digits and . _ - @ + / besides * and ?
      re += c === "." || c === "+" ? "\\" + c : c;
    }
  }
  return new RegExp("^" + re + "(?:/.*)?$");
}

function relTails(full) {
  const rel = path.relative(root, full).split(path.sep).join("/");
  const tails = [rel];
  let at = rel.indexOf("node_modules/");
  while (at >= 0) {
    tails.push(rel.slice(at + "node_modules/".length));
    at = rel.indexOf("node_modules/", at + 1);
  }
  return tails;
}

function keptByGlob(full) {
  if (keepGlobs.length === 0) return false;
  return relTails(full).some((t) => keepGlobs.some((g) => g.test(t)));
}

function keepNamed(pkgDir, target) {
  if (typeof target !== "string" || target === "") return;
  const p = path.resolve(pkgDir, target);
  keepPaths.add(p);
  for (const ext of [".js", ".cjs", ".mjs", ".json", ".node"]) keepPaths.add(p + ext);
  keepPaths.add(path.join(p, "index.js"));
}

function readPackage(dir) {
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch (e) {
    return;
  }
  if (typeof pkg.bin === "string") keepNamed(dir, pkg.bin);
  else if (pkg.bin && typeof pkg.bin === "object") Object.values(pkg.bin).forEach((t) => keepNamed(dir, t));
  keepNamed(dir, pkg.main);
}

function tsNextToJs(name, names) {
  if (/\.d\.[cm]?tsx?$/.test(name)) return false;
  for (const [re, exts] of TS_SOURCE) {
    if (re.test(name)) return exts.some((ext) => names.has(name.replace(re, ext)));
  }
  return false;
}

function dropFile(name, names) {
  if (ALWAYS_KEEP.test(name) || name.endsWith(".node")) return false;
  return DOC_FILE.test(name) || DROP_EXT.test(name) || DROP_DOTFILE.test(name) || tsNextToJs(name, names);
}

function remove(full) {
  const st = fs.lstatSync(full);
  fs.unlinkSync(full);
  files++;
  bytes += st.size;
}

// dropAll: inside a folder being dropped, every file goes except the kept ones.
function walk(dir, isPackageRoot, dropAll) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    return;
  }
  const names = new Set(entries.map((e) => e.name));
  const hasPackage = names.has("package.json");
  if (hasPackage) readPackage(dir);
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isSymbolicLink() || keptByGlob(full)) continue;
    if (e.isDirectory()) {
      const drop = dropAll || (isPackageRoot && DROP_DIR.has(e.name.toLowerCase()) && !fs.existsSync(path.join(full, "package.json")));
      walk(full, fs.existsSync(path.join(full, "package.json")), drop);
      if (drop) {
        try {
          fs.rmdirSync(full);
        } catch (err) {
          // not empty: something in it is kept
        }
      }
    } else if (e.isFile() && !keepPaths.has(full)) {
      const name = e.name;
      if (ALWAYS_KEEP.test(name) || name.endsWith(".node")) continue;
      if (dropAll || dropFile(name, names)) remove(full);
    }
  }
}

if (!fs.existsSync(root)) {
  console.log("leanode prune: no " + root + ", nothing to prune");
} else {
  walk(root, false, false);
  console.log("leanode prune: removed " + files + " files, " + bytes + " bytes from " + root);
}
