const t0 = performance.now();
await import('../../../src/container.ts');
const t1 = performance.now();
await import('../../../src/app.ts');
const t2 = performance.now();
await import('../../../src/main.ts');
const t3 = performance.now();
console.log(
  `container ${Math.round(t1 - t0)} app ${Math.round(t2 - t1)} main ${Math.round(t3 - t2)} ms; since process start ${Math.round(t3)} ms`,
);
