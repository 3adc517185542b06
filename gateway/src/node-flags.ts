/**
 * The Node/V8 flags the gateway is started with, sized for a box with 256-512 MB in all
 * (BENCHMARKS.md, bench:footprint). They go on the node command line, so every way of
 * starting the gateway names them: docker-compose.yml, the CLI's shebang (cli.ts),
 * scripts/start-all.ts and bench:footprint read or repeat this list.
 *
 * --max-semi-space-size=1: V8's young generation stays at 1 MB a semi-space instead of
 *   growing to 16 MB (about 27 MB of resident memory for a process whose live data is a
 *   few MB); a scavenge then runs every few hundred KB allocated, well under a
 *   millisecond each at the gateway's allocation rate.
 * --no-opt: no TurboFan. Its compiler's code and working memory and the optimised code
 *   are about 8 MB of the process (measured with bench:footprint: about 78-81 MB without
 *   the flag, 70 MB with it); the gateway's own JavaScript is a small share of its CPU
 *   time, and Sparkplug's baseline code still runs the hot functions (a quarter to a third
 *   more CPU time in the same benchmark: about 3.6 → 4.7 % of a core).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--no-opt'];
