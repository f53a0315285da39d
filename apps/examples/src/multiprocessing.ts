/**
 * The original README's "Multiprocessing": `Pool.applyAsync` with a lambda and a named function, then `map` and
 * `starmap`, which run their calls concurrently on the cluster (the original ran `map` one call at a time).
 */
import { Pool } from "@satyr/multiprocessing";
import { check, type Log, runIfMain } from "./support/main.js";

export async function main(log: Log = console.log): Promise<string> {
  await using pool = new Pool({ name: "satyr-pool", processes: 4 });

  function mul(a: number, b: number): number {
    return a * b;
  }

  const res1 = pool.applyAsync((a: number, b: number) => a + b, [1, 2]);
  const res2 = pool.applyAsync(mul, [2, 3]);
  const [sum, product] = [await res1.get(30_000), await res2.get(30_000)];
  log(`applyAsync(lambda a, b: a + b, [1, 2]).get() = ${sum}`);
  log(`applyAsync(mul, [2, 3]).get() = ${product}`);
  check(sum === 3 && product === 6, `expected 3 and 6, got ${sum} and ${product}`);

  const squares = await pool.map((x: number) => x * x, [1, 2, 3, 4, 5], { chunksize: 2 });
  log(`map(x => x * x, [1..5], chunksize 2) = [${squares.join(", ")}]`);
  check(squares.join() === "1,4,9,16,25", `unexpected map result ${squares}`);

  const products = await pool.starmap(mul, [
    [1, 2],
    [3, 4],
  ]);
  log(`starmap(mul, [[1, 2], [3, 4]]) = [${products.join(", ")}]`);
  check(products.join() === "2,12", `unexpected starmap result ${products}`);

  pool.close();
  await pool.join();
  return `applyAsync → ${sum}, ${product}; map → [${squares.join(", ")}]; starmap → [${products.join(", ")}]`;
}

runIfMain(import.meta.url, main);
