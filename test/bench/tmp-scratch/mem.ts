import '../../../src/main.ts';
import '../../../src/app.ts';
import '../../../src/container.ts';
setTimeout(() => {
  global.gc?.();
  const m = process.memoryUsage();
  console.log(
    JSON.stringify(
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 1048576)])),
    ),
  );
}, 1000);
