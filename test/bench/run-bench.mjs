// Entry of `npm run bench`: runs the TypeScript benchmark (test/bench/main.ts) under tsx, passing
// the arguments through. Plain JavaScript so npm can start it with node alone.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const result = spawnSync(process.execPath, ['--import', 'tsx', main, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
