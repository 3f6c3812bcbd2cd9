// Vitest (Vite) loads `?raw` imports as strings; this lets tests read text fixtures without node:fs.
declare module '*.txt?raw' {
  const text: string;
  export default text;
}
