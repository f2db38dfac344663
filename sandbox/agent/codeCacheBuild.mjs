// @ts-check
// Makes the chaincode runtime's code cache (codeCache.mjs) when the image is built:
// `node codeCacheBuild.mjs <runtime node_modules> <cache file> <runtime's path in the image>`, run by
// the node binary the image carries, on the runtime files the image carries.
import { spawnSync } from 'node:child_process';
import { standbyNodeFlags } from './chaincodeStandby.mjs';
import { codeCacheBuildFile, writeCodeCache } from './codeCache.mjs';

const [runtime, cacheFile, runtimeInImage] = process.argv.slice(2);
if (!runtime || !cacheFile || !runtimeInImage) {
  console.error("usage: codeCacheBuild.mjs <runtime node_modules> <cache file> <runtime's path in the image>");
  process.exit(2);
}
if (standbyNodeFlags.some((flag) => !process.execArgv.includes(flag))) {
  // V8 takes a cache only under the flags it was made under: the standby's.
  const child = spawnSync(process.execPath, [...standbyNodeFlags, codeCacheBuildFile, runtime, cacheFile, runtimeInImage], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
console.log(`Cached the compiled code of ${writeCodeCache(runtime, cacheFile, runtimeInImage)} files of the chaincode runtime`);
